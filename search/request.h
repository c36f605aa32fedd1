/* search/request.h — a search as a front end asks for it: the options of `myelin search` (and
 * of the scripting API's myelin_api_search) as one table of key/value settings, checked in one
 * place, and the datasets resolved from what was given and what the workload declares.  The
 * command line spells keys with dashes (max-drop), the API with underscores (max_drop); both
 * name the same setting. */
#ifndef MYELIN_SEARCH_REQUEST_H
#define MYELIN_SEARCH_REQUEST_H

#include <stdio.h>

#include "search/search.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct myelin_search_request {
    myelin_search_config cfg;
    const char *arch;            /* preset or YAML (default generic-45nm) */
    const char *train, *val, *calib, *test; /* dataset specs as given (NULL: resolved) */
    const char *out_dir, *prefix, *journal;
    long vft_n, vcount;          /* --val-from-train N, --val-count N */
    uint64_t vft_seed;
    int with_timing, set_gran, set_schemes;
    const char *key_prefix;      /* how messages name a key: "--" (command line) or "search option " */
    char specs[3][512];          /* the resolved val, calib and test specs */
    char said[4096];             /* the declared splits used, for a note ("" when none) */
    char arch_path[MYELIN_PATH_MAX], journal_path[MYELIN_PATH_MAX]; /* resolved; cfg points here */
} myelin_search_request;

/* The defaults: myelin_search_config_default, outputs in out_dir (may be NULL), no prefix,
 * timing on; messages name keys after key_prefix. */
void myelin_search_request_init(myelin_search_request *r, const char *out_dir, const char *key_prefix);
/* Sets one option: key as the command line (dashes) or the API (underscores) spells it, value as
 * the command line takes it (NULL for no-timing).  MYELIN_EUSAGE naming the key on a bad value;
 * an unknown key is MYELIN_EUSAGE "unknown search option 'KEY' (known: ...)". */
int myelin_search_request_set(myelin_search_request *r, const char *key, const char *value,
                              myelin_error *err);
/* Checks what needs no input files (one validation source, a bare prefix) and applies the
 * heterogeneous search's defaults (per layer, both schemes) unless given. */
int myelin_search_request_check(myelin_search_request *r, myelin_error *err);
/* The data: what was given, else the splits wl declares (listed in r->said), else synthetic
 * images of its shape; sets cfg's dataset specs and carving. */
int myelin_search_request_data(myelin_search_request *r, const myelin_workload *wl, myelin_error *err);

/* What the search needs besides the weights: the data (myelin_search_request_data), the array's
 * file (r->arch, default generic-45nm) and the journal: r->journal, else with default_journal
 * DIR/Pjournal.jsonl in the output folder, else none (cfg.journal_path NULL). */
int myelin_search_request_resolve(myelin_search_request *r, const myelin_workload *wl, int default_journal,
                                  myelin_error *err);
/* The title line of `myelin search`'s terminal summary: method, workload, array, constraint. */
void myelin_search_request_write_title(const myelin_search_request *r, const char *workload, FILE *f);
/* The chosen setting's figures (savings, drops, bits, evaluations, gate check, the proxy's rank
 * correlation) as the paragraph under `myelin search`'s summary table. */
void myelin_search_request_write_chosen(const myelin_search *s, FILE *f);

#ifdef __cplusplus
}
#endif
#endif
