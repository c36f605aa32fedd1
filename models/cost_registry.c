/* models/cost_registry.c — the cost-model registry (models by layer kind and name), plugin
 * loading (the descriptor's ABI read from the ELF file before dlopen, then dlopen/dlsym) and the
 * plugin ABI's side of an evaluation: the plain-value input and the NoC-accounting check. */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"
#include "models/cost.h"
#include "models/cost_internal.h"

static void warn_stderr(void *user, const char *message)
{
    (void)user;
    fprintf(stderr, "myelin: warning: %s\n", message);
}

typedef struct entry {
    myelin_cost_model model;
    void *dl; /* handle when it came from a plugin */
    char origin[MYELIN_PATH_MAX];
} entry;

struct myelin_cost_registry {
    int n, cap;
    entry *e;
    int *warned; /* per entry: its NoC warning was given (the evaluation takes a const registry) */
    int n_dl;
    void *dls[MYELIN_ARCH_MAX_PLUGINS * 4];
    myelin_cost_warn_fn warn;
    void *warn_user;
};

static int check_model(const myelin_cost_model *m, const char *origin, myelin_error *err)
{
    if (m->abi_version != MYELIN_COST_ABI_VERSION)
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, origin, 0, 0,
                                "cost-model ABI version mismatch: the plugin was built for ABI %d, "
                                "this myelin speaks ABI %d (rebuild it against <myelin/cost.h>)",
                                m->abi_version, MYELIN_COST_ABI_VERSION);
    if (!m->name || !*m->name || strlen(m->name) >= MYELIN_NAME_MAX)
        return myelin_error_set(err, MYELIN_ESCHEMA, origin, 0, 0,
                                "cost-model descriptor has no name (or one longer than %d characters)",
                                MYELIN_NAME_MAX - 1);
    if (m->layer_kind < 0 || m->layer_kind >= MYELIN_LAYER_KIND_COUNT)
        return myelin_error_set(err, MYELIN_ESCHEMA, origin, 0, 0,
                                "cost model '%s': layer_kind %d is not a layer kind (0..%d)", m->name,
                                m->layer_kind, MYELIN_LAYER_KIND_COUNT - 1);
    if (!m->count)
        return myelin_error_set(err, MYELIN_ESCHEMA, origin, 0, 0,
                                "cost model '%s': no count function", m->name);
    return 0;
}

static int reg_put(myelin_cost_registry *reg, const myelin_cost_model *m, void *dl, const char *origin,
                   myelin_error *err)
{
    for (int i = 0; i < reg->n; i++)
        if (reg->e[i].model.layer_kind == m->layer_kind && !strcmp(reg->e[i].model.name, m->name)) {
            reg->e[i].model = *m; /* a plugin replaces a model of the same name and kind */
            reg->e[i].dl = dl;
            reg->warned[i] = 0;
            snprintf(reg->e[i].origin, sizeof reg->e[i].origin, "%s", origin);
            return 0;
        }
    if (reg->n == reg->cap) {
        int nc = reg->cap ? reg->cap * 2 : 16;
        entry *ne = realloc(reg->e, (size_t)nc * sizeof *ne);
        if (ne)
            reg->e = ne;
        int *nw = ne ? realloc(reg->warned, (size_t)nc * sizeof *nw) : NULL;
        if (!nw)
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (cost registry)");
        reg->warned = nw;
        reg->cap = nc;
    }
    reg->warned[reg->n] = 0;
    entry *e = &reg->e[reg->n++];
    e->model = *m;
    e->dl = dl;
    snprintf(e->origin, sizeof e->origin, "%s", origin);
    return 0;
}

int myelin_cost_registry_new(myelin_cost_registry **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    myelin_cost_registry *reg = calloc(1, sizeof *reg);
    if (!reg)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (cost registry)");
    reg->warn = warn_stderr;
    for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++) {
        if (!myelin_cost_builtin_of(k))
            continue;
        myelin_cost_model m = {MYELIN_COST_ABI_VERSION, "builtin", k,
                               myelin_cost_builtin_description(k), myelin_cost_builtin};
        int rc = reg_put(reg, &m, NULL, "<builtin>", err);
        if (rc) {
            myelin_cost_registry_free(reg);
            return rc;
        }
    }
    *out = reg;
    return 0;
}

int myelin_cost_registry_add(myelin_cost_registry *reg, const myelin_cost_model *model,
                             myelin_error *err)
{
    int rc = check_model(model, "<memory>", err);
    return rc ? rc : reg_put(reg, model, NULL, "<memory>", err);
}

/* Reads the descriptor's abi_version straight from the ELF file, before dlopen runs any of the
 * plugin's code (its constructors run at dlopen; nothing can stop that once loaded).  Finds the
 * exported descriptor symbol in .dynsym and the bytes at its address in a PT_LOAD segment.
 * Returns 0 with *abi set, or an error saying what is wrong with the file. */
static int elf_peek_abi(const char *path, const char *symbol, int *abi, myelin_error *err)
{
#if defined(__ELF__) && defined(__LP64__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    char *img = NULL;
    size_t len = 0;
    int rc = myelin_read_file_max(path, MYELIN_READ_MAX_TEXT_BYTES, &img, &len, err);
    if (rc)
        return rc;
    const unsigned char *b = (const unsigned char *)img;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
#define IN_FILE(off, size) ((uint64_t)(off) <= len && (uint64_t)(size) <= len - (uint64_t)(off))
    const char *why = NULL;
    if (len < sizeof *eh || memcmp(b, ELFMAG, SELFMAG) != 0 || b[EI_CLASS] != ELFCLASS64 ||
        b[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_DYN)
        why = "not a 64-bit little-endian ELF shared object";
    else if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_phentsize != sizeof(Elf64_Phdr) ||
             !IN_FILE(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) ||
             !IN_FILE(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr)))
        why = "ELF headers out of the file";
    int found = 0;
    for (int i = 0; !why && !found && i < eh->e_shnum; i++) {
        const Elf64_Shdr *sh = (const Elf64_Shdr *)(b + eh->e_shoff) + i;
        if (sh->sh_type != SHT_DYNSYM)
            continue;
        if (sh->sh_link >= eh->e_shnum || sh->sh_entsize != sizeof(Elf64_Sym) ||
            !IN_FILE(sh->sh_offset, sh->sh_size)) {
            why = "bad dynamic symbol table";
            break;
        }
        const Elf64_Shdr *st = (const Elf64_Shdr *)(b + eh->e_shoff) + sh->sh_link;
        if (!IN_FILE(st->sh_offset, st->sh_size)) {
            why = "bad dynamic string table";
            break;
        }
        for (uint64_t k = 0; k < sh->sh_size / sizeof(Elf64_Sym); k++) {
            const Elf64_Sym *sym = (const Elf64_Sym *)(b + sh->sh_offset) + k;
            size_t nlen = strlen(symbol) + 1;
            if (sym->st_shndx == SHN_UNDEF || sym->st_name >= st->sh_size ||
                st->sh_size - sym->st_name < nlen ||
                memcmp(b + st->sh_offset + sym->st_name, symbol, nlen) != 0)
                continue;
            found = 1;
            why = "the descriptor's address is not in the file";
            for (int p = 0; p < eh->e_phnum; p++) {
                const Elf64_Phdr *ph = (const Elf64_Phdr *)(b + eh->e_phoff) + p;
                if (ph->p_type != PT_LOAD || sym->st_value < ph->p_vaddr ||
                    sym->st_value - ph->p_vaddr > ph->p_filesz ||
                    ph->p_filesz - (sym->st_value - ph->p_vaddr) < sizeof(int))
                    continue;
                uint64_t off = ph->p_offset + (sym->st_value - ph->p_vaddr);
                if (IN_FILE(off, sizeof(int))) {
                    memcpy(abi, b + off, sizeof(int));
                    why = NULL;
                }
                break;
            }
            break;
        }
    }
#undef IN_FILE
    free(img);
    if (why)
        return myelin_error_set(err, MYELIN_EFORMAT, path, 0, 0,
                                "not a myelin cost-model plugin: %s (checked before loading: none of "
                                "its code ran)",
                                why);
    if (!found)
        return myelin_error_set(err, MYELIN_EMISSING, path, 0, 0,
                                "not a myelin cost-model plugin: it exports no '%s' (checked before "
                                "loading: none of its code ran)",
                                symbol);
    return 0;
#else
    (void)path;
    (void)symbol;
    (void)err;
    *abi = MYELIN_COST_ABI_VERSION; /* no pre-check on this platform: dlsym's check below */
    return 0;
#endif
}

int myelin_cost_registry_load_plugin(myelin_cost_registry *reg, const char *path, myelin_error *err)
{
    if (reg->n_dl == (int)(sizeof reg->dls / sizeof reg->dls[0]))
        return myelin_error_set(err, MYELIN_EUSAGE, path, 0, 0, "too many plugins loaded");
    /* An absolute path, so dlopen never searches the system library path for a bare name. */
    char full[PATH_MAX];
    if (!realpath(path, full))
        return myelin_error_set(err, MYELIN_EMISSING, path, 0, 0,
                                "cost-model plugin not found: %s", strerror(errno));
    struct stat st;
    if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
        return myelin_error_set(err, MYELIN_EMISSING, path, 0, 0,
                                "cost-model plugin is not a regular file");
    int abi = 0;
    int prc = elf_peek_abi(full, MYELIN_COST_PLUGIN_SYMBOL, &abi, err);
    if (prc == MYELIN_EMISSING) {
        /* an ABI-1 plugin exports the old symbol: say so rather than "no descriptor" */
        myelin_error e1;
        int old_abi = 0;
        if (elf_peek_abi(full, MYELIN_COST_PLUGIN_SYMBOL_V1, &old_abi, &e1) == 0)
            return myelin_error_set(err, MYELIN_EUNSUPPORTED, path, 0, 0,
                                    "cost-model plugin built for ABI %d (it exports '%s'); this "
                                    "myelin speaks ABI %d: port its count function to the "
                                    "myelin_cost_input of <myelin/cost.h>, export '%s' and rebuild "
                                    "(arch/README.md; checked before loading: none of its code ran)",
                                    old_abi, MYELIN_COST_PLUGIN_SYMBOL_V1, MYELIN_COST_ABI_VERSION,
                                    MYELIN_COST_PLUGIN_SYMBOL);
    }
    if (prc)
        return prc;
    if (abi != MYELIN_COST_ABI_VERSION)
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, path, 0, 0,
                                "cost-model ABI version mismatch: the plugin was built for ABI %d, "
                                "this myelin speaks ABI %d (rebuild it against <myelin/cost.h>; checked "
                                "before loading: none of its code ran)",
                                abi, MYELIN_COST_ABI_VERSION);
    dlerror();
    /* RTLD_LAZY: no symbol of the plugin is bound before it is called; RTLD_LOCAL: its symbols
     * cannot interpose on Myelin's or another plugin's. */
    void *dl = dlopen(full, RTLD_LAZY | RTLD_LOCAL);
    if (!dl) {
        const char *why = dlerror();
        return myelin_error_set(err, MYELIN_EMISSING, path, 0, 0, "cannot load cost-model plugin: %s",
                                why ? why : "unknown dlopen error");
    }
    dlerror();
    const myelin_cost_model *m = (const myelin_cost_model *)dlsym(dl, MYELIN_COST_PLUGIN_SYMBOL);
    const char *why = dlerror();
    if (why || !m) {
        int rc = myelin_error_set(err, MYELIN_EMISSING, path, 0, 0,
                                  "not a myelin cost-model plugin: symbol '%s' missing (%s)",
                                  MYELIN_COST_PLUGIN_SYMBOL, why ? why : "NULL symbol");
        dlclose(dl);
        return rc;
    }
    int rc = check_model(m, path, err);
    if (!rc)
        rc = reg_put(reg, m, dl, path, err);
    if (rc) {
        dlclose(dl);
        return rc;
    }
    reg->dls[reg->n_dl++] = dl;
    return 0;
}

const myelin_cost_model *myelin_cost_registry_find(const myelin_cost_registry *reg, int kind,
                                                   const char *name)
{
    for (int i = 0; i < reg->n; i++)
        if (reg->e[i].model.layer_kind == kind && !strcmp(reg->e[i].model.name, name))
            return &reg->e[i].model;
    return NULL;
}

int myelin_cost_registry_configure(myelin_cost_registry *reg, const myelin_arch *arch,
                                   myelin_error *err)
{
    myelin_error_clear(err);
    for (int i = 0; i < arch->n_plugins; i++) {
        int rc = myelin_cost_registry_load_plugin(reg, arch->plugins[i], err);
        if (rc) {
            /* Point at the entry of the architecture file that named the plugin. */
            if (err) {
                myelin_error_prefix(err, "plugins[%d] (%s)", i, arch->plugins[i]);
                size_t fl = strlen(arch->source);
                if (fl >= sizeof err->file)
                    fl = sizeof err->file - 1;
                memcpy(err->file, arch->source, fl);
                err->file[fl] = 0;
                err->line = arch->plugin_line[i];
                err->column = arch->plugin_column[i];
            }
            return rc;
        }
    }
    for (int k = 0; k < MYELIN_LAYER_KIND_COUNT; k++) {
        if (myelin_cost_registry_find(reg, k, arch->cost_model[k]))
            continue;
        char names[512] = "";
        for (int i = 0; i < reg->n; i++)
            if (reg->e[i].model.layer_kind == k) {
                size_t nl = strlen(names);
                snprintf(names + nl, sizeof names - nl, "%s%s", nl ? ", " : "", reg->e[i].model.name);
            }
        return myelin_error_set(err, MYELIN_ESCHEMA, arch->source, arch->cost_model_line[k],
                                arch->cost_model_column[k],
                                "cost_models.%s: no cost model '%s' for layer kind %s (available: %s)",
                                myelin_layer_kind_name((myelin_layer_kind)k), arch->cost_model[k],
                                myelin_layer_kind_name((myelin_layer_kind)k), names);
    }
    return 0;
}

void myelin_cost_registry_on_warning(myelin_cost_registry *reg, myelin_cost_warn_fn fn, void *user)
{
    reg->warn = fn;
    reg->warn_user = user;
}

/* ---- the plugin ABI's input and its checks ----------------------------------------------------- */

void myelin_cost_input_fill(myelin_cost_input *in, const myelin_cost_ctx *ctx)
{
    const myelin_layer *l = ctx->layer;
    const myelin_arch *a = ctx->arch;
    memset(in, 0, sizeof *in);
    in->size = sizeof *in;
    in->abi_version = MYELIN_COST_ABI_VERSION;
    in->n_actions = MYELIN_ACT_COUNT;
    in->layer_name = l->name;
    in->layer_index = ctx->layer_index;
    in->layer_kind = l->kind;
    in->n_inputs = l->n_inputs;
    for (int j = 0; j < l->n_inputs && j < 3; j++)
        in->input_is_image[j] = l->inputs[j] == MYELIN_INPUT_IMAGE;
    in->in_c = l->in_shape.c;
    in->in_h = l->in_shape.h;
    in->in_w = l->in_shape.w;
    in->out_c = l->out_shape.c;
    in->out_h = l->out_shape.h;
    in->out_w = l->out_shape.w;
    in->c_in = l->c_in;
    in->c_out = l->c_out;
    in->kernel = l->kernel;
    in->real_input = l->real_input;
    in->has_lif = l->has_lif;
    in->heads = l->heads;
    in->attn_order = l->attn_order;
    in->neurons = myelin_layer_neurons(l);
    in->dense_macs = myelin_layer_dense_macs(l);
    in->weight_bits = ctx->quant->weight_bits;
    in->membrane_bits = ctx->quant->membrane_bits;
    in->scheme = ctx->quant->scheme;
    in->granularity = ctx->quant->granularity;
    in->cores = ctx->map->cores;
    in->first_core = ctx->map->first_core;
    in->channels_per_core = ctx->map->channels_per_core;
    in->token_slices = ctx->map->token_slices;
    in->rows = a->rows;
    in->cols = a->cols;
    in->accumulator_lanes = a->core.accumulator_lanes;
    in->synapse_word_bits = a->core.synapse_word_bits;
    in->synapse_banks = a->core.synapse_banks;
    in->synapse_bytes = a->core.synapse_memory_bytes;
    in->neuron_capacity = a->core.neuron_capacity;
    in->hop_latency_cycles = a->noc.hop_latency_cycles;
    in->link_width_bits = a->noc.link_width_bits;
    in->multicast = a->noc_multicast;
    in->buffer_flits = a->noc_buffer_flits;
    in->flits_per_packet = myelin_noc_flits_per_packet(ctx->workload, a);
    in->clock_hz = a->clock_hz;
    in->timesteps = ctx->timesteps;
    for (int j = 0; j < 3; j++) {
        in->rate_in[j] = ctx->rate_in[j];
        in->in_elements[j] = ctx->in_elements[j];
    }
    in->rate_out = ctx->rate_out;
    in->mean_hops_x = ctx->mean_hops_x;
    in->mean_hops_y = ctx->mean_hops_y;
    in->tree_edges_x = ctx->tree_edges_x;
    in->tree_edges_y = ctx->tree_edges_y;
    in->internal = ctx;
}

void myelin_cost_registry_check_noc(const myelin_cost_registry *reg, const myelin_cost_model *m,
                                    const myelin_cost_ctx *ctx, const myelin_cost_counts *counts,
                                    myelin_cost_report *r)
{
    if (m->count == myelin_cost_builtin || ctx->map->cores <= 0)
        return;
    if (counts->count[MYELIN_ACT_SPIKE_PACKET] > 0 || counts->count[MYELIN_ACT_ROUTER_HOP_X] > 0 ||
        counts->count[MYELIN_ACT_ROUTER_HOP_Y] > 0)
        return;
    /* does any input arrive over the NoC (a layer's spikes, not the image) with events? */
    double events = 0;
    for (int j = 0; j < ctx->layer->n_inputs && j < 3; j++)
        if (ctx->layer->inputs[j] != MYELIN_INPUT_IMAGE)
            events += ctx->rate_in[j] * (double)ctx->in_elements[j];
    if (!(events > 0))
        return;
    int idx = -1;
    for (int i = 0; i < reg->n && idx < 0; i++)
        if (&reg->e[i].model == m)
            idx = i;
    char msg[900];
    snprintf(msg, sizeof msg,
             "cost model '%s' (%.400s) counted no NoC action (spike_packet, router_hop_x/_y) for layer "
             "%s, whose input spikes arrive over the NoC: its NoC energy is missing (start from "
             "myelin_cost_builtin's counts to keep it)",
             m->name, idx >= 0 ? reg->e[idx].origin : "?", ctx->layer->name);
    char line[300];
    snprintf(line, sizeof line, "layer %s: cost model '%s' counted no NoC action\n",
             ctx->layer->name, m->name);
    size_t wl = strlen(r->warnings);
    if (wl + strlen(line) < sizeof r->warnings)
        memcpy(r->warnings + wl, line, strlen(line) + 1);
    if (idx >= 0 && !reg->warned[idx]) {
        reg->warned[idx] = 1;
        if (reg->warn)
            reg->warn(reg->warn_user, msg);
    }
}

void myelin_cost_registry_free(myelin_cost_registry *reg)
{
    if (!reg)
        return;
    free(reg->e);
    free(reg->warned);
    for (int i = 0; i < reg->n_dl; i++)
        dlclose(reg->dls[i]);
    free(reg);
}
