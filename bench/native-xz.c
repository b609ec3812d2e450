/*
 * The floor for decoding the xz members of many small .deb files: the system's liblzma, from C,
 * on the same files repogen reads. Used by bench/floors.mjs (built there with gcc -O2 -llzma).
 * Usage: native-xz FILE...   prints: members, decoded bytes, milliseconds.
 */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned char file[1 << 22];
static unsigned char out[1 << 24];

int main(int argc, char **argv) {
  struct timespec a, b;
  long members = 0, total = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int f = 1; f < argc; f++) {
    FILE *fp = fopen(argv[f], "rb");
    if (!fp) return 1;
    size_t len = fread(file, 1, sizeof file, fp);
    fclose(fp);
    size_t off = 8; /* "!<arch>\n" */
    while (off + 60 <= len) {
      char name[17];
      memcpy(name, file + off, 16);
      name[16] = 0;
      long size = strtol((char *)file + off + 48, NULL, 10);
      if (strstr(name, ".xz")) {
        lzma_stream s = LZMA_STREAM_INIT;
        if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK) return 2;
        s.next_in = file + off + 60;
        s.avail_in = (size_t)size;
        s.next_out = out;
        s.avail_out = sizeof out;
        if (lzma_code(&s, LZMA_FINISH) != LZMA_STREAM_END) return 3;
        total += (long)(sizeof out - s.avail_out);
        members++;
        lzma_end(&s);
      }
      off += 60 + (size_t)size + (size & 1);
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%ld %ld %.1f\n", members, total, (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  return 0;
}
