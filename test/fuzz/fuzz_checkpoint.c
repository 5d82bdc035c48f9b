/* libFuzzer harness: the checkpoint line parser (make fuzz; replayed by make
 * check). A line that parses must survive format/parse unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strdb/strdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line) return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    sdb_checkpoint c, back;
    if (sdb_checkpoint_parse(line, &c) == SDB_OK) {
        char buf[1024];
        sdb_checkpoint_format(&c, buf, sizeof buf);
        if (sdb_checkpoint_parse(buf, &back) || back.seq != c.seq || strcmp(back.head, c.head) ||
            strcmp(back.at, c.at) || strcmp(back.public_key, c.public_key) ||
            strcmp(back.signature, c.signature))
            abort();
    }
    free(line);
    return 0;
}
