/* Counts the bytes a process copies with memcpy/memmove (the calls that go through the PLT:
 * every Rust copy_from_slice, extend_from_slice, Vec growth, ...; not glibc's own internal
 * calls and not the kernel's copies). Loaded with LD_PRELOAD by the compare bench's copies
 * mode; at exit it appends "copied BYTES CALLS" to the file named by HIP_COPYCOUNT_OUT.
 * Build: cc -O2 -shared -fPIC -o libcopycount.so copycount.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static _Atomic unsigned long long copied, calls;
static void *(*real_memcpy)(void *, const void *, size_t);
static void *(*real_memmove)(void *, const void *, size_t);
static _Thread_local int resolving;

/* A byte loop for the calls made while dlsym itself runs. */
static void *plain_move(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        for (size_t i = 0; i < n; i++) d[i] = s[i];
    } else {
        for (size_t i = n; i-- > 0;) d[i] = s[i];
    }
    return dst;
}

static void *(*resolve(void *(**slot)(void *, const void *, size_t), const char *name))(
    void *, const void *, size_t) {
    if (!*slot && !resolving) {
        resolving = 1;
        *slot = (void *(*)(void *, const void *, size_t))dlsym(RTLD_NEXT, name);
        resolving = 0;
    }
    return *slot;
}

void *memcpy(void *dst, const void *src, size_t n) {
    atomic_fetch_add_explicit(&copied, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    void *(*f)(void *, const void *, size_t) = resolve(&real_memcpy, "memcpy");
    return f ? f(dst, src, n) : plain_move(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n) {
    atomic_fetch_add_explicit(&copied, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    void *(*f)(void *, const void *, size_t) = resolve(&real_memmove, "memmove");
    return f ? f(dst, src, n) : plain_move(dst, src, n);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("HIP_COPYCOUNT_OUT");
    if (!path) return;
    FILE *f = fopen(path, "a");
    if (!f) return;
    fprintf(f, "copied %llu %llu\n", (unsigned long long)atomic_load(&copied),
            (unsigned long long)atomic_load(&calls));
    fclose(f);
}
