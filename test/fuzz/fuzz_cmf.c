/* libFuzzer harness: CODIS CMF 3.2 XML (libxml2, schema-validated) (make fuzz; replayed by make check). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_reader(data, size, SDB_FMT_CMF);
}
