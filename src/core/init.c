/* Library version and one-time initialisation. */
#include <pthread.h>
#include <sodium.h>

#include "strdb/strdb.h"

#ifndef SDB_VERSION
#define SDB_VERSION "0.0.0"
#endif

const char *sdb_version(void)
{
    return SDB_VERSION;
}

static int init_status = SDB_OK;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void do_init(void)
{
    if (sodium_init() < 0)
        init_status = SDB_ENOMEM;
    else if (!sdb_catalog_default())
        init_status = SDB_EFORMAT;
}

int sdb_init(void)
{
    pthread_once(&init_once, do_init);
    return init_status;
}
