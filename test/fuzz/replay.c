/* Replays a fuzz corpus without libFuzzer: every file named on the command
 * line (directories are walked one level) goes through the harness once.
 * Built with gcc and the sanitizers by `make check`. Prints one line
 * "replay NAME: N inputs" and exits 0, or crashes like the fuzzer would. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 4096))) abort();
        size_t n = fread(buf + len, 1, cap - len, f);
        if (!n) break;
        len += n;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    long n = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb)) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(sb.st_mode)) {
            n += run_file(argv[i]) == 0;
            continue;
        }
        DIR *dir = opendir(argv[i]);
        struct dirent *e;
        while (dir && (e = readdir(dir))) {
            if (e->d_name[0] == '.') continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            n += run_file(path) == 0;
        }
        if (dir) closedir(dir);
    }
    printf("replay %s: %ld inputs\n", argc > 1 ? argv[1] : "-", n);
    return n > 0 ? 0 : 1;
}
