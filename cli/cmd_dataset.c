/* cli/cmd_dataset.c — `myelin dataset info|export`: inspect a dataset (count, shape, classes, class
 * histogram, streamed; a table of the report module) and write any dataset as IDX files (the
 * bridge to PyTorch training). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const myelin_report_col cols[] = {{"class", "", 1, 0}, {"images", "", 1, 0}};

static int do_info(myelin_cli *c, const char *spec)
{
    myelin_dataset *ds;
    int rc = myelin_dataset_open(spec, &ds, &c->ctx.err);
    if (rc)
        return rc;
    myelin_dataset_info in;
    myelin_dataset_info_get(ds, &in);
    int64_t *hist = calloc((size_t)in.classes + 1, sizeof *hist);
    uint8_t *px = malloc((size_t)in.c * in.h * in.w);
    int label, more = 1;
    if (!hist || !px)
        rc = myelin_error_set(&c->ctx.err, MYELIN_ENOMEM, spec, 0, 0, "out of memory");
    while (!rc && (more = myelin_dataset_next(ds, px, &label, &c->ctx.err)) == 1)
        hist[label < in.classes ? label : in.classes]++;
    if (!rc && more < 0)
        rc = more;
    myelin_report *t = rc ? NULL : myelin_report_new(cols, 2);
    if (!rc && c->format == MYELIN_REPORT_TABLE)
        printf("dataset      %s\nimages       %" PRId64 "\nshape        %d x %d x %d (C x H x W)\nclasses      %d\n\n",
               in.description, in.count, in.c, in.h, in.w, in.classes);
    for (int k = 0; t && k < in.classes; k++) {
        int r = myelin_report_row(t);
        myelin_report_set(t, r, 0, "%d", k);
        myelin_report_set(t, r, 1, "%" PRId64, hist[k]);
    }
    if (!rc) {
        myelin_provenance_add(&c->ctx.prov, "dataset", "%s", spec);
        if (t) {
            myelin_report_caption(t, "%s: %" PRId64 " images, %d x %d x %d (C x H x W), %d classes",
                                  in.description, in.count, in.c, in.h, in.w, in.classes);
            myelin_report_rows_key(t, "classes");
            myelin_report_meta_num(t, "images", (double)in.count);
        }
        rc = myelin_cli_emit(c, t, NULL, NULL);
    }
    myelin_report_free(t);
    free(hist);
    free(px);
    myelin_dataset_close(ds);
    return rc < 0 ? rc : 0;
}

enum { O_IMAGES = 1000, O_LABELS };

typedef struct dataset_args {
    const char *images, *labels;
} dataset_args;

static int on_opt(myelin_cli *c, int id, const char *arg, void *user)
{
    (void)c;
    dataset_args *a = user;
    if (id == O_IMAGES)
        a->images = arg;
    else
        a->labels = arg;
    return 0;
}

/* The action and its arguments; 0 or MYELIN_EUSAGE with c->ctx.err set. */
static int check_args(myelin_cli *c, const dataset_args *a)
{
    if (c->npos != 2)
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                "expected an action (info or export) and a dataset spec (got %d argument%s)",
                                c->npos, c->npos == 1 ? "" : "s");
    if (!strcmp(c->pos[0], "info"))
        return 0;
    if (strcmp(c->pos[0], "export") != 0)
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "unknown action '%s' (expected info or export)",
                                c->pos[0]);
    if (!a->images || !a->labels)
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0, "export: --images and --labels are required");
    if (!strcmp(a->images, a->labels))
        return myelin_error_set(&c->ctx.err, MYELIN_EUSAGE, NULL, 0, 0,
                                "export: --images and --labels name the same file '%s'", a->images);
    return 0;
}

int myelin_cmd_dataset(int argc, char **argv)
{
    static const myelin_cli_opt own[] = {{"images", 1, O_IMAGES}, {"labels", 1, O_LABELS}, {NULL, 0, 0}};
    myelin_cli c;
    myelin_cli_init(&c, "dataset", myelin_help_dataset, MYELIN_OPT_FORMAT | MYELIN_OPT_LIMIT);
    c.max_pos = 4; /* info|export SPEC; a wrong count is said below */
    dataset_args a = {NULL, NULL};
    int status = myelin_cli_parse(&c, argc, argv, own, on_opt, &a);
    if (status >= 0)
        return status;
    if (check_args(&c, &a))
        return myelin_cli_usage_failed(&c);
    int rc;
    if (!strcmp(c.pos[0], "info")) {
        rc = do_info(&c, c.pos[1]);
    } else {
        myelin_dataset *ds = NULL;
        rc = myelin_dataset_open(c.pos[1], &ds, &c.ctx.err);
        if (!rc)
            rc = myelin_dataset_write_idx(ds, a.images, a.labels, c.limit, &c.ctx.err);
        myelin_dataset_close(ds); /* on a failed write too */
    }
    status = rc ? myelin_cli_failed(&c) : 0;
    myelin_cli_free(&c);
    return status;
}
