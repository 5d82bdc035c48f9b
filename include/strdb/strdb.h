/* strdb: umbrella header of libstrdb, the contract everything else uses.
 * Call sdb_init() once before anything else (it initialises libsodium). */
#ifndef STRDB_H
#define STRDB_H

#include "strdb/error.h"
#include "strdb/allele.h"
#include "strdb/locus.h"
#include "strdb/profile.h"
#include "strdb/io.h"
#include "strdb/store.h"
#include "strdb/audit.h"
#include "strdb/queue.h"
#include "strdb/stats.h"
#include "strdb/simulate.h"
#include "strdb/index.h"
#include "strdb/search.h"
#include "strdb/governance.h"
#include "strdb/pedigree.h"
#include "strdb/fam.h"
#include "strdb/missing.h"
#include "strdb/familial.h"
#include "strdb/lineage.h"
#include "strdb/draw.h"
#include "strdb/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Library version, "MAJOR.MINOR.PATCH". */
const char *sdb_version(void);

/* One-time initialisation (thread-safe, idempotent). SDB_OK or SDB_ENOMEM. */
int sdb_init(void) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
