/* Private to src/lineage. */
#ifndef STRDB_LINEAGE_INTERNAL_H
#define STRDB_LINEAGE_INTERNAL_H

#include "strdb/index.h"

/* Rows of x sorted by sample id (for lineage_row_of); free() it. */
int lineage_row_map(const sdb_idx *x, long **sorted);
/* Row of sample_id in x, or -1. */
long lineage_row_of(const sdb_idx *x, const long *sorted, const char *sample_id);

#endif
