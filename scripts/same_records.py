"""Compare two directories of uncompressed record files (see same-records.sh).

Each file is a sequence of varint-length-prefixed records, the first of
which is the header (it holds the creation time, so it is skipped). With
one worker the records must be equal in order; with more, as sorted lists.
Exit statuses of the two runs (DIR.status) must be equal too.
"""
import os
import subprocess
import sys


def records(path):
    data = open(path, "rb").read()
    out, i = [], 0
    while i < len(data):
        n, shift = 0, 0
        while True:
            b = data[i]
            i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        out.append(data[i:i + n])
        i += n
    return out[1:]


def same_content(ref, new, f, workers):
    """Records with map fields are not byte-stable (Go's protobuf writes a
    map in random order): compare them as net dump -json prints them (maps
    sorted) instead."""
    net = os.environ["NET_NEW"]
    out = [subprocess.run([net, "dump", "-read", os.path.join(d, f), "-json"],
                          capture_output=True, check=True).stdout for d in (ref, new)]
    if workers > 1:
        out = [sorted(o.splitlines()) for o in out]
    return out[0] == out[1]


def files(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".ncap"))


def main():
    ref, new, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ok = True
    st = [open(d + ".status").read().strip() for d in (ref, new)]
    if st[0] != st[1]:
        print(f"  exit status {st[0]} -> {st[1]}")
        ok = False
    if files(ref) != files(new):
        print(f"  files differ: {sorted(set(files(ref)) ^ set(files(new)))}")
        ok = False
    for f in sorted(set(files(ref)) & set(files(new))):
        a, b = records(os.path.join(ref, f)), records(os.path.join(new, f))
        if workers > 1:
            a, b = sorted(a), sorted(b)
        if a != b and len(a) == len(b) and same_content(ref, new, f, workers):
            continue
        if a != b:
            first = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            print(f"  {f}: {len(a)} -> {len(b)} records, first difference at record {first}")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
