/* fuzz/fuzz_journal.c — the search journal: open (header, records, torn tail, refusals), append,
 * and reopen, which must read back exactly what was there plus the new record. */
#include <math.h>

#include "fuzz/fuzz_common.h"
#include "search/internal.h"

#define FUZZ_ARGS_HASH 0x0123456789abcdefULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512], old[530];
    fuzz_scratch("journal.jsonl", data, size, path, sizeof path);
    snprintf(old, sizeof old, "%s.old", path);
    journal *j = NULL;
    int restarted = 0;
    myelin_error err;
    if (myelin_journal_open(path, FUZZ_ARGS_HASH, &j, &restarted, &err) == 0) {
        int before = myelin_journal_records(j);
        double v[3] = {1.5, NAN, -INFINITY}, r[3];
        if (myelin_journal_put(j, "full", "fuzz\"key\n", v, 3, &err) != 0)
            abort();
        myelin_journal_close(j);
        j = NULL;
        if (myelin_journal_open(path, FUZZ_ARGS_HASH, &j, &restarted, &err) != 0)
            abort(); /* a journal we just wrote must reopen */
        if (myelin_journal_records(j) != before + 1 || !myelin_journal_get(j, "full", "fuzz\"key\n", r, 3) ||
            r[0] != 1.5 || !isnan(r[1]) || r[2] != -INFINITY)
            abort();
        myelin_journal_close(j);
    }
    unlink(path);
    unlink(old);
    return 0;
}
