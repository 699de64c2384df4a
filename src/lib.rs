pub use hip_core;
