"""The MSRV check (issue 11): reads `cargo metadata --format-version 1` on stdin and fails
when a package outside the workspace declares a higher `rust-version` than the workspace's.
Run it through scripts/msrv.sh."""

import json
import sys


def version_key(v):
    parts = [int(p) for p in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    meta = json.load(sys.stdin)
    members = set(meta["workspace_members"])
    declared = {p["rust_version"] for p in meta["packages"] if p["id"] in members}
    declared.discard(None)
    if len(declared) != 1:
        found = ", ".join(sorted(declared)) or "none"
        sys.exit(f"msrv: expected one rust-version across the workspace members, found {found}")
    msrv = declared.pop()

    deps = [p for p in meta["packages"] if p["id"] not in members]
    with_rv = sorted(
        (p for p in deps if p.get("rust_version")),
        key=lambda p: (version_key(p["rust_version"]), p["name"]),
        reverse=True,
    )
    too_new = [p for p in with_rv if version_key(p["rust_version"]) > version_key(msrv)]

    print(f"workspace rust-version: {msrv}")
    print(
        f"packages in the lockfile outside the workspace: {len(deps)} "
        f"({len(with_rv)} declare a rust-version, {len(deps) - len(with_rv)} do not)"
    )
    if with_rv:
        top = with_rv[0]["rust_version"]
        at_top = [
            f"{p['name']} {p['version']}"
            for p in with_rv
            if version_key(p["rust_version"]) == version_key(top)
        ]
        print(f"highest declared: {top} ({', '.join(at_top)})")
    if too_new:
        print(f"FAIL: {len(too_new)} package(s) need a newer Rust than rust-version {msrv}:")
        for p in too_new:
            print(f"  {p['name']} {p['version']} declares rust-version {p['rust_version']}")
        print(
            "Raise rust-version in Cargo.toml, or keep an older version in the lockfile "
            "(`cargo update -p NAME --precise VERSION`)."
        )
        sys.exit(1)
    print(f"OK: no package declares a rust-version above {msrv}")


main()
