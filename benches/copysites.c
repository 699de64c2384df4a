/* Where a process copies: for every memcpy of 64 bytes or more, counts the calls per
 * (caller address, size) and, at exit, writes "CALLS SIZE OFFSET SYMBOL" lines (OFFSET is
 * the caller's address in its object, for addr2line) to the file named by HIP_COPYSITES_OUT.
 * Differencing the files of two runs with N and 2N requests gives the copies per request.
 *
 *   cc -O2 -shared -fPIC -o /tmp/libcopysites.so benches/copysites.c -ldl
 *   HIP_COPYSITES_OUT=/tmp/sites.txt LD_PRELOAD=/tmp/libcopysites.so \
 *       target/release/deps/compare-* --hip-bench-client hip-blocking seq 1000 HTTP HTTPS CA.pem
 *   addr2line -f -C -e target/release/deps/compare-* 0xOFFSET
 *
 * (HTTP, HTTPS: the ports `compare --hip-bench-server CERT.pem KEY.pem` prints.)
 * The table is not locked: copies made by several threads at once may be miscounted. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define SLOTS 4096

struct site {
    void *caller;
    size_t size;
    unsigned long calls;
};

static struct site sites[SLOTS];
static void *(*next_memcpy)(void *, const void *, size_t);
static int looking_up;

static void note(void *caller, size_t size) {
    if (size < 64) return;
    size_t start = ((size_t)caller ^ (size * 0x9E3779B97F4A7C15ull)) % SLOTS;
    for (size_t k = 0; k < SLOTS; k++) {
        struct site *s = &sites[(start + k) % SLOTS];
        if (s->caller == caller && s->size == size) {
            s->calls++;
            return;
        }
        if (s->caller == NULL) {
            s->caller = caller;
            s->size = size;
            s->calls = 1;
            return;
        }
    }
}

void *memcpy(void *dst, const void *src, size_t n) {
    if (next_memcpy == NULL) {
        if (looking_up) { /* dlsym itself copying: a plain loop */
            unsigned char *d = dst;
            const unsigned char *s = src;
            for (size_t i = 0; i < n; i++) d[i] = s[i];
            return dst;
        }
        looking_up = 1;
        next_memcpy = (void *(*)(void *, const void *, size_t))dlsym(RTLD_NEXT, "memcpy");
        looking_up = 0;
    }
    note(__builtin_return_address(0), n);
    return next_memcpy(dst, src, n);
}

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("HIP_COPYSITES_OUT");
    if (path == NULL) return;
    FILE *out = fopen(path, "w");
    if (out == NULL) return;
    for (size_t k = 0; k < SLOTS; k++) {
        const struct site *s = &sites[k];
        if (s->caller == NULL) continue;
        Dl_info info;
        const char *name = "?";
        unsigned long offset = (unsigned long)s->caller;
        if (dladdr(s->caller, &info) != 0) {
            offset -= (unsigned long)info.dli_fbase;
            if (info.dli_sname != NULL) name = info.dli_sname;
        }
        fprintf(out, "%lu %zu %lx %s\n", s->calls, s->size, offset, name);
    }
    fclose(out);
}
