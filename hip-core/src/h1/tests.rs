//! Unit tests of the h1 state machine.
