/* models/cost.c — owns the cost-model registry, the built-in per-kind models, plugin loading,
 * activity (firing rates), pricing (counts x prices, in one place); its tables are
 * written by models/cost_write.c. */
#include "models/cost.h"

#include <ctype.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/json.h"
#include "base/util.h"

/* ---- built-in models -------------------------------------------------------------------------- */

static double wbits(const myelin_cost_input *in)
{
    return myelin_storage_bits(in->quant->weight_bits);
}

static double mbits(const myelin_cost_input *in)
{
    return myelin_storage_bits(in->quant->membrane_bits);
}

/* One accumulate per synaptic op, priced by the membrane (accumulator) width and the scheme. */
static void count_accumulates(const myelin_cost_input *in, double ops, int pot, myelin_cost_counts *o)
{
    if (in->quant->membrane_bits == MYELIN_BITS_FLOAT)
        o->count[MYELIN_ACT_ADD_FLOAT] += ops;
    else if (pot)
        o->count[MYELIN_ACT_SHIFT_ADD_BITS] += ops * mbits(in);
    else
        o->count[MYELIN_ACT_ADD_INT_BITS] += ops * mbits(in);
}

static void count_neurons(const myelin_cost_input *in, myelin_cost_counts *o)
{
    if (!in->layer->has_lif)
        return;
    double updates = (double)myelin_layer_neurons(in->layer) * in->timesteps;
    double active = in->rate_out * updates;
    if (active > updates)
        active = updates;
    o->count[MYELIN_ACT_NEURON_UPDATE_ACTIVE] += active;
    o->count[MYELIN_ACT_NEURON_UPDATE_IDLE] += updates - active;
    o->count[MYELIN_ACT_MEMBRANE_RW_BITS] += updates * 2 * mbits(in);
}

/* Every input event goes to each core that holds its tokens (all channel groups of one token
 * slice; attention mixes tokens, so all of its cores); the image comes from outside the array. */
static double count_noc(const myelin_cost_input *in, myelin_cost_counts *o)
{
    double packets = 0;
    double dest = in->map->cores;
    if (in->layer->kind != MYELIN_LAYER_ATTN && in->map->token_slices > 1)
        dest /= in->map->token_slices;
    for (int j = 0; j < in->layer->n_inputs; j++) {
        if (in->layer->inputs[j] == MYELIN_INPUT_IMAGE)
            continue;
        packets += in->rate_in[j] * in->timesteps * (double)in->in_elements[j] * dest;
    }
    if (in->arch->noc_multicast == MYELIN_MULTICAST_TREE && dest > 0) {
        double events = packets / dest; /* one packet per event: the tree copies it */
        o->count[MYELIN_ACT_SPIKE_PACKET] += events;
        o->count[MYELIN_ACT_ROUTER_HOP_X] += events * in->tree_edges_x;
        o->count[MYELIN_ACT_ROUTER_HOP_Y] += events * in->tree_edges_y;
        return events;
    }
    o->count[MYELIN_ACT_SPIKE_PACKET] += packets;
    o->count[MYELIN_ACT_ROUTER_HOP_X] += packets * in->mean_hops_x;
    o->count[MYELIN_ACT_ROUTER_HOP_Y] += packets * in->mean_hops_y;
    return packets;
}

static double base_cycles(const myelin_cost_input *in, double work)
{
    double c = 0;
    if (in->map->cores > 0)
        c = work / ((double)in->map->cores * in->arch->core.accumulator_lanes);
    return c + in->timesteps * (in->mean_hops_x + in->mean_hops_y) * in->arch->noc.hop_latency_cycles;
}

/* Cycles one input event costs one core: its fan-out row through the accumulator lanes, or the
 * synapse-memory words it needs through the banks, whichever is longer (the SystemC core's rule;
 * the excess is a memory stall). */
static double event_cycles(const myelin_arch *a, double fanout, double bits)
{
    if (!(fanout > 0) || a->core.accumulator_lanes <= 0 || a->core.synapse_word_bits <= 0 ||
        a->core.synapse_banks <= 0)
        return 0;
    double acc = ceil(fanout / a->core.accumulator_lanes);
    double fetch = ceil(ceil(fanout * bits / a->core.synapse_word_bits) / a->core.synapse_banks);
    return acc > fetch ? acc : fetch;
}

/* Accumulate cycles of a CONV / LINEAR layer per core: every event reaches each core of its token
 * slice and costs event_cycles(kernel^2 x channels per core); the image (real input) once. */
static double synaptic_cycles(const myelin_cost_input *in)
{
    const myelin_layer *l = in->layer;
    const myelin_layer_map *m = in->map;
    if (m->cores <= 0)
        return 0;
    double slices = m->token_slices > 1 ? m->token_slices : 1;
    double fan = (double)l->kernel * l->kernel * (m->channels_per_core > 0 ? m->channels_per_core : 1);
    double per_event = event_cycles(in->arch, fan, wbits(in));
    double events;
    if (l->real_input) /* every pixel value of its tokens, every input channel, at t = 0 */
        events = (double)l->out_shape.h * l->out_shape.w * l->c_in / slices;
    else
        events = in->rate_in[0] * in->timesteps * (double)in->in_elements[0] / slices;
    return events * per_event;
}

static int builtin_synaptic(const myelin_cost_input *in, myelin_cost_counts *o, char *eb, size_t el)
{
    (void)eb;
    (void)el;
    const myelin_layer *l = in->layer;
    double macs = (double)myelin_layer_dense_macs(l);
    if (l->real_input) {
        o->count[MYELIN_ACT_MAC_REAL] = macs; /* once per inference: FL^1 convention */
        o->count[MYELIN_ACT_SRAM_READ_BITS] = macs * wbits(in);
    } else {
        double ops = in->rate_in[0] * in->timesteps * macs;
        o->synaptic_ops = ops;
        o->count[MYELIN_ACT_SYNAPTIC_OP] = ops;
        o->count[MYELIN_ACT_SRAM_READ_BITS] = ops * wbits(in);
        count_accumulates(in, ops, in->quant->scheme == MYELIN_SCHEME_POT, o);
    }
    count_neurons(in, o);
    count_noc(in, o);
    double lanes = in->arch->core.accumulator_lanes > 0 ? in->arch->core.accumulator_lanes : 1;
    double lif = 0;
    if (l->has_lif && in->map->cores > 0)
        lif = ceil((double)myelin_layer_neurons(l) / in->map->cores / lanes) * in->timesteps;
    if (l->kind == MYELIN_LAYER_HEAD) /* one accumulate per event into the token-and-time sum */
        o->cycles = base_cycles(in, o->synaptic_ops > 0 ? in->rate_in[0] * in->timesteps *
                                                              (double)in->in_elements[0]
                                                        : 0);
    else
        o->cycles = synaptic_cycles(in) + lif +
                    in->timesteps * (in->mean_hops_x + in->mean_hops_y) *
                        in->arch->noc.hop_latency_cycles;
    return 0;
}

static int builtin_attn(const myelin_cost_input *in, myelin_cost_counts *o, char *eb, size_t el)
{
    const myelin_layer *l = in->layer;
    if (l->n_inputs != 3 || l->heads <= 0) {
        snprintf(eb, el, "attention layer needs 3 inputs (q, k, v) and heads > 0");
        return -1;
    }
    double n = (double)l->out_shape.h * l->out_shape.w;
    double d = (double)l->out_shape.c / l->heads;
    double k_ops, q_ops;
    if (l->attn_order == MYELIN_ATTN_QK_V) {
        /* (Q K^T) V, the public CIFAR code: each Q spike adds a K column into S (n ops, 1-bit
         * reads); each V spike adds a column of the integer S into A (n ops, membrane-width reads).
         * k_ops holds the V side here. */
        q_ops = in->rate_in[0] * in->timesteps * n * d * l->heads * n;
        k_ops = in->rate_in[2] * in->timesteps * n * d * l->heads * n;
    } else {
        double per_event = n * d * d * l->heads; /* products per unit rate per timestep */
        k_ops = in->rate_in[1] * in->timesteps * per_event; /* K^T V on K spikes */
        q_ops = in->rate_in[0] * in->timesteps * per_event; /* Q (K^T V) on Q spikes */
    }
    double ops = k_ops + q_ops;
    o->synaptic_ops = ops;
    o->count[MYELIN_ACT_SYNAPTIC_OP] = ops;
    /* q_kv: K^T V entries (membrane-width) per Q spike; qk_v: S entries per V spike */
    o->count[MYELIN_ACT_SRAM_READ_BITS] = l->attn_order == MYELIN_ATTN_QK_V
                                              ? q_ops * 1.0 + k_ops * mbits(in)
                                              : k_ops * 1.0 + q_ops * mbits(in);
    count_accumulates(in, ops, 0, o);
    count_neurons(in, o);
    count_noc(in, o);
    /* a K or Q event works on the cores holding its head's channels: one core with the whole
     * head (d products), or d / (channels per core) cores with their share */
    const myelin_layer_map *m = in->map;
    double cpc = m->channels_per_core > 0 ? m->channels_per_core : 1;
    double ov = cpc >= d ? d : cpc, nov = cpc >= d ? 1 : d / cpc;
    double cyc = 0;
    if (m->cores > 0) {
        double ke = in->rate_in[1] * in->timesteps * (double)in->in_elements[1];
        double qe = in->rate_in[0] * in->timesteps * (double)in->in_elements[0];
        double lanes = in->arch->core.accumulator_lanes > 0 ? in->arch->core.accumulator_lanes : 1;
        cyc = (ke * event_cycles(in->arch, ov, 1) + qe * event_cycles(in->arch, ov, mbits(in))) *
                  nov / m->cores +
              ceil((double)myelin_layer_neurons(l) / m->cores / lanes) * in->timesteps;
    }
    o->cycles = cyc + in->timesteps * (in->mean_hops_x + in->mean_hops_y) *
                          in->arch->noc.hop_latency_cycles;
    return 0;
}

static int builtin_free(const myelin_cost_input *in, myelin_cost_counts *o, char *eb, size_t el)
{
    (void)in;
    (void)o;
    (void)eb;
    (void)el;
    return 0;
}

static const myelin_cost_model builtins[] = {
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_CONV,
     "3x3 conv: MACs for the real-valued first layer (once), else rate x T x dense synaptic ops",
     builtin_synaptic},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_LINEAR,
     "token-wise linear: rate x T x dense synaptic ops, weight reads, accumulates, LIF, NoC",
     builtin_synaptic},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_ATTN,
     "spiking self-attention: spike.spike products in the workload's order ((Q K^T) V or "
     "Q (K^T V)), event-driven",
     builtin_attn},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_MAXPOOL,
     "max pool: merged into the consumer's input, no cost of its own", builtin_free},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_ADD,
     "residual add: merged into the consumer's input, no cost of its own", builtin_free},
    {MYELIN_COST_ABI_VERSION, "builtin", MYELIN_LAYER_HEAD,
     "classifier head: rate x T x dense synaptic ops (paper convention)", builtin_synaptic},
};

/* ---- registry -------------------------------------------------------------------------------- */

typedef struct entry {
    myelin_cost_model model;
    void *dl; /* handle when it came from a plugin */
    char origin[MYELIN_PATH_MAX];
} entry;

struct myelin_cost_registry {
    int n, cap;
    entry *e;
    int n_dl;
    void *dls[MYELIN_ARCH_MAX_PLUGINS * 4];
};

static int check_model(const myelin_cost_model *m, const char *origin, myelin_error *err)
{
    if (m->abi_version != MYELIN_COST_ABI_VERSION)
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, origin, 0, 0,
                                "cost-model ABI version mismatch: the plugin was built for ABI %d, "
                                "this myelin speaks ABI %d (rebuild it against models/cost.h)",
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
            snprintf(reg->e[i].origin, sizeof reg->e[i].origin, "%s", origin);
            return 0;
        }
    if (reg->n == reg->cap) {
        int nc = reg->cap ? reg->cap * 2 : 16;
        entry *ne = realloc(reg->e, (size_t)nc * sizeof *ne);
        if (!ne)
            return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (cost registry)");
        reg->e = ne;
        reg->cap = nc;
    }
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
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
        int rc = reg_put(reg, &builtins[i], NULL, "<builtin>", err);
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
static int elf_peek_abi(const char *path, int *abi, myelin_error *err)
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
            size_t nlen = sizeof MYELIN_COST_PLUGIN_SYMBOL;
            if (sym->st_shndx == SHN_UNDEF || sym->st_name >= st->sh_size ||
                st->sh_size - sym->st_name < nlen ||
                memcmp(b + st->sh_offset + sym->st_name, MYELIN_COST_PLUGIN_SYMBOL, nlen) != 0)
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
                                MYELIN_COST_PLUGIN_SYMBOL);
    return 0;
#else
    (void)path;
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
    int prc = elf_peek_abi(full, &abi, err);
    if (prc)
        return prc;
    if (abi != MYELIN_COST_ABI_VERSION)
        return myelin_error_set(err, MYELIN_EUNSUPPORTED, path, 0, 0,
                                "cost-model ABI version mismatch: the plugin was built for ABI %d, "
                                "this myelin speaks ABI %d (rebuild it against models/cost.h; checked "
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

void myelin_cost_registry_free(myelin_cost_registry *reg)
{
    if (!reg)
        return;
    free(reg->e);
    for (int i = 0; i < reg->n_dl; i++)
        dlclose(reg->dls[i]);
    free(reg);
}

/* ---- activity -------------------------------------------------------------------------------- */

void myelin_activity_free(myelin_activity *a)
{
    if (!a)
        return;
    free(a->rate);
    a->rate = NULL;
    a->n_layers = 0;
}

/* ---- the statistical activity model (one definition for myelin cost and myelin sim) ----------
 *
 * Rates are given per spiking layer's output (a LIF layer fires as independent Bernoulli draws at
 * its rate); every other layer's output is DERIVED from its inputs' value distributions:
 *   ADD     the sum of independent inputs: the convolution of their value distributions (a
 *           residual value of 2 is two events), so its rate is the sum of its inputs' rates;
 *   MAXPOOL 3x3, stride 2, padding 1 (models/kernels.h): an output is the max over the k in-bounds
 *           elements of its window, P(max <= v) = F(v)^k, averaged over the output positions (edge
 *           windows hold 4 or 6 elements), so a pool of Bernoulli(r) fires at about 1 - (1-r)^9;
 *   HEAD    0 (its outputs are logits, not events).
 * A workload may give a pool's rate (firing_rates naming it: measured on a trained network, whose
 * spikes are spatially correlated, so its pools fire less than independence predicts); `--rate R`
 * sets every spiking layer and derives every pool.  The SystemC model's statistical mode draws
 * the spiking layers AND the pools (Bernoulli at these rates) and sums adds from the drawn spikes
 * with the shared kernel, so both models see the same expected activity. */

typedef struct vdist {
    int n;     /* support 0..n */
    double *p; /* p[v] = P(value = v) */
} vdist;

static void vdist_free(vdist *d, int n)
{
    if (!d)
        return;
    for (int i = 0; i < n; i++)
        free(d[i].p);
    free(d);
}

static int vdist_point(vdist *d, int n, double p1)
{
    d->n = n;
    d->p = calloc((size_t)n + 1, sizeof *d->p);
    if (!d->p)
        return -1;
    if (n >= 1) {
        d->p[1] = p1;
        d->p[0] = 1 - p1;
    } else {
        d->p[0] = 1;
    }
    return 0;
}

static double vdist_mean(const vdist *d)
{
    double m = 0;
    for (int v = 1; v <= d->n; v++)
        m += v * d->p[v];
    return m;
}

/* out = max of k independent draws of d, mixed over the pool's window sizes. */
static int vdist_maxpool(const vdist *d, const myelin_shape *in, vdist *out)
{
    out->n = d->n;
    out->p = calloc((size_t)d->n + 1, sizeof *out->p);
    if (!out->p)
        return -1;
    int oh = (in->h + 1) / 2, ow = (in->w + 1) / 2;
    double npos[10] = {0}; /* output positions whose window holds k in-bounds elements */
    for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++) {
            int ky = 0, kx = 0;
            for (int dy = -1; dy <= 1; dy++)
                ky += 2 * oy + dy >= 0 && 2 * oy + dy < in->h;
            for (int dx = -1; dx <= 1; dx++)
                kx += 2 * ox + dx >= 0 && 2 * ox + dx < in->w;
            npos[ky * kx]++;
        }
    double total = (double)oh * ow;
    for (int k = 1; k <= 9; k++) {
        if (!(npos[k] > 0))
            continue;
        double F = 0, prev = 0;
        for (int v = 0; v <= d->n; v++) {
            F += d->p[v];
            double cur = pow(F > 1 ? 1 : F, k);
            out->p[v] += npos[k] / total * (cur - prev);
            prev = cur;
        }
    }
    return 0;
}

/* out = the sum of independent a and b (convolution). */
static int vdist_add(const vdist *a, const vdist *b, vdist *out)
{
    out->n = a->n + b->n;
    out->p = calloc((size_t)out->n + 1, sizeof *out->p);
    if (!out->p)
        return -1;
    for (int i = 0; i <= a->n; i++)
        for (int j = 0; j <= b->n; j++)
            out->p[i + j] += a->p[i] * b->p[j];
    return 0;
}

/* A LIF layer with weights or attention: the layers whose rate is given (or measured), never
 * derived. */
static int is_lif_layer(const myelin_layer *l)
{
    return l->has_lif && (l->kind == MYELIN_LAYER_CONV || l->kind == MYELIN_LAYER_LINEAR ||
                          l->kind == MYELIN_LAYER_ATTN);
}

/* Fills the rates still negative from the activity model above: a spiking layer's missing rate is
 * an error (it must be given or measured); MAXPOOL and ADD are derived from their inputs (a rate
 * already present, e.g. measured, is kept and only its distribution is derived); others get 0. */
static int derive_rates(const myelin_workload *wl, myelin_activity *out, const char *source,
                        myelin_error *err)
{
    int n = wl->n_layers;
    vdist *d = calloc((size_t)(n ? n : 1), sizeof *d);
    if (!d) {
        myelin_activity_free(out);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (activity model)");
    }
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        const myelin_layer *l = &wl->layers[i];
        int oom = 0;
        if (is_lif_layer(l)) {
            if (out->rate[i] < 0) {
                rc = myelin_error_set(err, MYELIN_EMISSING, source, 0, 0,
                                      "no firing_rate for layer %s of workload %s in the activity",
                                      l->name, wl->name);
                break;
            }
            double r = out->rate[i] > 1 ? 1 : out->rate[i];
            oom = vdist_point(&d[i], 1, r);
        } else if (l->kind == MYELIN_LAYER_MAXPOOL && l->n_inputs >= 1 && l->inputs[0] >= 0 &&
                   l->inputs[0] < i) {
            oom = vdist_maxpool(&d[l->inputs[0]], &l->in_shape, &d[i]);
        } else if (l->kind == MYELIN_LAYER_ADD && l->n_inputs >= 1) {
            oom = vdist_point(&d[i], 0, 0);
            for (int j = 0; j < l->n_inputs && !oom; j++) {
                int s = l->inputs[j];
                if (s < 0 || s >= i)
                    continue;
                vdist sum;
                oom = vdist_add(&d[i], &d[s], &sum);
                if (!oom) {
                    free(d[i].p);
                    d[i] = sum;
                }
            }
        } else {
            oom = vdist_point(&d[i], 0, 0);
        }
        if (oom) {
            rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (activity model)");
            break;
        }
        if (out->rate[i] < 0) {
            out->rate[i] = vdist_mean(&d[i]);
        } else if (!is_lif_layer(l)) {
            /* a given (measured) pool or add rate: the two-point distribution of that mean
             * replaces the derived one, so what it feeds is derived from the given rate */
            double r = out->rate[i];
            int lo = (int)floor(r);
            free(d[i].p);
            oom = vdist_point(&d[i], lo + 1, 0);
            if (!oom) {
                d[i].p[0] = 0;
                d[i].p[lo] = 1 - (r - lo);
                d[i].p[lo + 1] = r - lo;
            } else {
                rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (activity model)");
            }
        }
    }
    vdist_free(d, n);
    if (rc)
        myelin_activity_free(out);
    return rc;
}

int myelin_activity_from_workload(const myelin_workload *wl, double uniform_rate,
                                  myelin_activity *out, myelin_error *err)
{
    memset(out, 0, sizeof *out);
    if (uniform_rate > 1 || isnan(uniform_rate))
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "firing rate %g is not a rate (expected 0..1 spikes per neuron per step)",
                                uniform_rate);
    out->rate = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *out->rate);
    if (!out->rate)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    out->n_layers = wl->n_layers;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        double r = uniform_rate >= 0 ? uniform_rate : l->firing_rate;
        if (!(r >= 0))
            r = wl->default_firing_rate;
        out->rate[i] = -1; /* derived */
        if (is_lif_layer(l))
            out->rate[i] = r;
        else if (l->kind == MYELIN_LAYER_MAXPOOL && uniform_rate < 0 && l->firing_rate >= 0)
            out->rate[i] = l->firing_rate; /* a pool rate the workload gives (measured) */
    }
    int rc = derive_rates(wl, out, wl->source, err);
    if (rc)
        return rc;
    if (uniform_rate >= 0)
        snprintf(out->source, sizeof out->source,
                 "uniform firing rate %g (pools and adds derived)", uniform_rate);
    else
        snprintf(out->source, sizeof out->source,
                 "statistical firing rates of workload %s (pools and adds derived)", wl->name);
    return 0;
}

/* The largest rate layer i can have: 1 spike per neuron per step for a LIF layer; for the others
 * (ADD, MAXPOOL, a head without LIF) the sum (ADD) or the largest of their inputs' bounds. */
static double rate_bound(const myelin_workload *wl, const double *bound, int i)
{
    const myelin_layer *l = &wl->layers[i];
    if (l->has_lif || l->n_inputs == 0)
        return 1;
    double b = 0;
    for (int j = 0; j < l->n_inputs; j++) {
        int src = l->inputs[j];
        double bj = src >= 0 && src < i ? bound[src] : 1;
        b = l->kind == MYELIN_LAYER_ADD ? b + bj : (bj > b ? bj : b);
    }
    return b > 1 ? b : 1;
}

/* Marks err at the value v of the activity text. */
static int activity_error(myelin_error *err, int code, const char *text, size_t len,
                          const char *source, const myelin_json *v, const char *fmt, const char *a,
                          double x)
{
    int line = 0, col = 0;
    if (v)
        myelin_json_position(text, len, v->offset, &line, &col);
    char msg[600];
    snprintf(msg, sizeof msg, fmt, a, x);
    return myelin_error_set(err, code, source, line, col, "%s", msg);
}

int myelin_activity_parse_json(const char *text, size_t len, const char *source,
                               const myelin_workload *wl, myelin_activity *out, myelin_error *err)
{
    memset(out, 0, sizeof *out);
    myelin_json *root = NULL;
    int rc = myelin_json_parse(text, len, source, &root, err);
    if (rc)
        return rc;
    size_t nl = (size_t)(wl->n_layers ? wl->n_layers : 1);
    double *bound = malloc(nl * sizeof *bound);
    out->rate = malloc(nl * sizeof *out->rate);
    if (!out->rate || !bound) {
        free(bound);
        myelin_json_free(root);
        myelin_activity_free(out);
        return myelin_error_set(err, MYELIN_ENOMEM, source, 0, 0, "out of memory");
    }
    out->n_layers = wl->n_layers;
    for (int i = 0; i < wl->n_layers; i++) {
        out->rate[i] = -1;
        bound[i] = rate_bound(wl, bound, i);
    }
    const myelin_json *layers = myelin_json_get(root, "layers");
    if (!layers || layers->type != MYELIN_JSON_ARRAY)
        rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, layers ? layers : root,
                            "expected the JSON of 'myelin run --json': an object with a \"layers\" "
                            "list%s",
                            "", 0);
    for (size_t k = 0; !rc && k < layers->count; k++) {
        const myelin_json *o = &layers->items[k];
        const myelin_json *nv = myelin_json_get(o, "name"), *rv = myelin_json_get(o, "firing_rate");
        if (o->type != MYELIN_JSON_OBJECT || !nv || nv->type != MYELIN_JSON_STRING) {
            rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, nv ? nv : o,
                                "expected a layer object with a \"name\" string%s", "", 0);
            break;
        }
        if (!rv)
            continue; /* a layer whose rate is derived (ADD, MAXPOOL) */
        int idx = myelin_workload_find_layer(wl, nv->string);
        if (idx < 0 || strlen(nv->string) != nv->string_len) {
            rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, nv,
                                "layer '%.200s' is not a layer of this workload (another model's "
                                "activity?)",
                                nv->string, 0);
            break;
        }
        if (rv->type != MYELIN_JSON_NUMBER || !isfinite(rv->number) || rv->number < 0 ||
            rv->number > bound[idx]) {
            char what[300];
            snprintf(what, sizeof what, "%.200s", nv->string);
            rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, rv,
                                "firing_rate of layer %s must be a number between 0 and %g "
                                "(events per element per timestep)",
                                what, bound[idx]);
            break;
        }
        if (out->rate[idx] >= 0) {
            rc = activity_error(err, MYELIN_ESCHEMA, text, len, source, nv,
                                "layer '%.200s' appears twice in the activity", nv->string, 0);
            break;
        }
        out->rate[idx] = rv->number;
    }
    free(bound);
    myelin_json_free(root);
    if (rc) {
        myelin_activity_free(out);
        return rc;
    }
    rc = derive_rates(wl, out, source, err);
    if (rc)
        return rc;
    snprintf(out->source, sizeof out->source, "measured firing rates from %.200s", source);
    return 0;
}

int myelin_activity_load_json(const char *path, const myelin_workload *wl, myelin_activity *out,
                              myelin_error *err)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    int rc = myelin_read_file_max(path, MYELIN_READ_MAX_TEXT_BYTES, &text, &len, err);
    if (rc)
        return rc;
    rc = myelin_activity_parse_json(text, len, path, wl, out, err);
    free(text);
    return rc;
}

int myelin_activity_from_spikes(const myelin_workload *wl, const int64_t *spikes, int64_t images,
                                const char *source, myelin_activity *out, myelin_error *err)
{
    memset(out, 0, sizeof *out);
    if (images <= 0)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "activity from spike counts needs at least one image");
    out->rate = malloc((size_t)(wl->n_layers ? wl->n_layers : 1) * sizeof *out->rate);
    if (!out->rate)
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory");
    out->n_layers = wl->n_layers;
    int T = wl->timesteps;
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        out->rate[i] = -1;
        int64_t elems = is_lif_layer(l) ? myelin_layer_neurons(l)
                        : (l->kind == MYELIN_LAYER_MAXPOOL || l->kind == MYELIN_LAYER_ADD)
                            ? (int64_t)l->out_shape.c * l->out_shape.h * l->out_shape.w
                            : 0;
        if (elems > 0) {
            int64_t s = 0;
            for (int t = 0; t < T; t++)
                s += spikes[(int64_t)i * T + t];
            out->rate[i] = (double)s / (double)images / T / (double)elems;
        }
    }
    int rc = derive_rates(wl, out, source, err);
    if (rc)
        return rc;
    snprintf(out->source, sizeof out->source, "%s", source ? source : "measured spike counts");
    return 0;
}

/* ---- evaluation ------------------------------------------------------------------------------ */

static int64_t tensor_elems(const myelin_workload *wl, int producer)
{
    const myelin_shape *s = producer == MYELIN_INPUT_IMAGE ? &wl->input : &wl->layers[producer].out_shape;
    return (int64_t)s->c * s->h * s->w;
}

/* Mean XY hops of the spikes of producer `src` to the cores of `dst`.  A layer with cores sends
 * from them; MAXPOOL and ADD have none: their spikes are their inputs' spikes, so the hops are the
 * inputs' hops weighted by the spikes each input contributes (rate x elements) — a residual
 * stream comes from every block that fed it, not only from its first input. */
/* Mean XY-tree links per spike from the cores of `src` to those of `dst` (each of its token
 * slices is a tree of its own when dst is token-sliced and sliced): X links along the source's
 * row to the farthest destination columns, Y links in each destination column to its farthest
 * rows on either side (dimension-ordered routing).  The mean is over source cores and slices. */
static void tree_hops(const myelin_arch *arch, const myelin_layer_map *src, const myelin_layer_map *dst,
                      int sliced, double *ex, double *ey)
{
    *ex = *ey = 0;
    int C = arch->cols;
    int slices = sliced && dst->token_slices > 1 ? dst->token_slices : 1;
    if (src->cores <= 0 || dst->cores <= 0 || C <= 0)
        return;
    int *lo = malloc((size_t)C * 2 * sizeof *lo);
    if (!lo)
        return;
    int *hi = lo + C;
    double sx = 0, sy = 0;
    for (int s = 0; s < slices; s++) {
        int minc = C, maxc = -1;
        for (int x = 0; x < C; x++) {
            lo[x] = 1 << 30;
            hi[x] = -1;
        }
        for (int k = s; k < dst->cores; k += slices) {
            int r = dst->first_core + k, x = r % C, y = r / C;
            if (y < lo[x])
                lo[x] = y;
            if (y > hi[x])
                hi[x] = y;
            if (x < minc)
                minc = x;
            if (x > maxc)
                maxc = x;
        }
        if (maxc < 0)
            continue;
        for (int k = 0; k < src->cores; k++) {
            int r = src->first_core + k, px = r % C, py = r / C;
            int a = px < minc ? px : minc, b = px > maxc ? px : maxc;
            sx += b - a;
            for (int x = minc; x <= maxc; x++) {
                if (hi[x] < 0)
                    continue;
                if (hi[x] > py)
                    sy += hi[x] - py;
                if (lo[x] < py)
                    sy += py - lo[x];
            }
        }
    }
    free(lo);
    double n = (double)src->cores * slices;
    *ex = sx / n;
    *ey = sy / n;
}

/* tree: 0 the mean unicast distance; 1 the mean XY-tree links (2: to each token slice apart). */
static int source_hops(const myelin_workload *wl, const myelin_mapping *map,
                       const myelin_activity *act, const myelin_arch *arch, int src,
                       const myelin_layer_map *dst, int tree, double *hx, double *hy,
                       myelin_error *err)
{
    *hx = *hy = 0;
    if (src < 0 || src >= wl->n_layers)
        return 0; /* the image comes from outside the array */
    if (map->layers[src].cores > 0) {
        if (tree) {
            tree_hops(arch, &map->layers[src], dst, tree == 2, hx, hy);
            return 0;
        }
        return myelin_mapping_mean_hops(arch, &map->layers[src], dst, hx, hy, err);
    }
    const myelin_layer *l = &wl->layers[src];
    double wsum = 0, sx = 0, sy = 0;
    int n = l->kind == MYELIN_LAYER_ADD ? l->n_inputs : 1;
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in < 0 || in >= src)
            continue;
        double x, y;
        int rc = source_hops(wl, map, act, arch, in, dst, tree, &x, &y, err);
        if (rc)
            return rc;
        double w = act->rate[in] * (double)tensor_elems(wl, in);
        if (!(w > 0))
            w = 1e-300; /* silent inputs: fall back to an unweighted mean */
        sx += w * x;
        sy += w * y;
        wsum += w;
    }
    if (wsum > 0) {
        *hx = sx / wsum;
        *hy = sy / wsum;
    }
    return 0;
}

/* ---- NoC serialization bound ----------------------------------------------------------------- */

static int bits_for(int64_t n)
{
    int b = 0;
    while (b < 62 && ((int64_t)1 << b) < n)
        b++;
    return b ? b : 1;
}

int myelin_noc_packet_bits(const myelin_workload *wl, const myelin_arch *arch)
{
    int64_t max_elems = 1;
    for (int i = 0; i < wl->n_layers; i++) {
        int64_t e = tensor_elems(wl, i);
        if (e > max_elems)
            max_elems = e;
    }
    return bits_for(arch->cols) + bits_for(arch->rows) + bits_for(max_elems);
}

int myelin_noc_flits_per_packet(const myelin_workload *wl, const myelin_arch *arch)
{
    int w = arch->noc.link_width_bits;
    if (w <= 0)
        return 1;
    return (myelin_noc_packet_bits(wl, arch) + w - 1) / w;
}

/* Spikes per timestep that the cores of each layer send into input `src`'s stream: a layer with
 * cores sends its own; a MAXPOOL's pooled spikes leave from its input's cores; an ADD's spikes are
 * its inputs' spikes (each input's share is its rate x elements).  Adds `spikes` into w[]. */
static void stream_producers(const myelin_workload *wl, const myelin_mapping *map,
                             const myelin_activity *act, int src, double spikes, double *w, int depth)
{
    if (src < 0 || src >= wl->n_layers || !(spikes > 0) || depth > wl->n_layers)
        return;
    if (map->layers[src].cores > 0) {
        w[src] += spikes;
        return;
    }
    const myelin_layer *l = &wl->layers[src];
    int n = l->kind == MYELIN_LAYER_ADD ? l->n_inputs : (l->n_inputs > 0 ? 1 : 0);
    double sum = 0;
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in >= 0 && in < src)
            sum += act->rate[in] * (double)tensor_elems(wl, in);
    }
    for (int j = 0; j < n; j++) {
        int in = l->inputs[j];
        if (in < 0 || in >= src)
            continue;
        double share = sum > 0 ? act->rate[in] * (double)tensor_elems(wl, in) / sum : 1.0 / n;
        stream_producers(wl, map, act, in, spikes * share, w, depth + 1);
    }
}

/* NoC serialization per timestep, in cycles at one flit per cycle per port and link (the NoC bound
 * in cost.h).  send[P]: the spikes of producer layer P to all of its consumers (directly or through
 * pools and residual adds) leave through its cores' injection ports and the XY links together, so
 * the busiest of them bounds P's output (a producer core sends each spike once per destination
 * core; a row link carries the packets of the sources of its row on one side of it to the
 * destination columns on the other; a column link those for its column's destinations on one side
 * from every source row on the other).  recv[D]: the busiest ejection port of consumer D (a core
 * receives every spike of its token slice, from every producer).  Producer cores send equal
 * shares of their layer's spikes; a token-sliced destination receives 1/slices of them. */
static int noc_bounds(const myelin_workload *wl, const myelin_mapping *map,
                      const myelin_activity *act, const myelin_arch *arch, int flits, double *send,
                      double *recv, myelin_error *err)
{
    int n = wl->n_layers, C = arch->cols;
    int64_t cells = (int64_t)arch->rows * C;
    for (int i = 0; i < n; i++)
        send[i] = recv[i] = 0;
    /* only the rows up to the last used core carry traffic */
    int R = 0;
    for (int i = 0; i < n; i++) {
        const myelin_layer_map *m = &map->layers[i];
        if (m->cores > 0 && m->first_core >= 0) {
            int64_t last = (int64_t)m->first_core + m->cores - 1;
            if (last >= cells)
                last = cells - 1;
            if (last / C + 1 > R)
                R = (int)(last / C + 1);
        }
    }
    if (R == 0 || n == 0)
        return 0;
    size_t g = (size_t)R * C;
    double *w = calloc((size_t)n * n, sizeof *w);
    double *dfrac = calloc((size_t)n, sizeof *dfrac);
    /* per destination layer: cores per column, cores per cell; per producer: cores per cell;
     * link loads: east/west of the cut right of each cell, south/north of the cut below it */
    double *dcol = calloc((size_t)C, sizeof *dcol), *dwest = calloc((size_t)C, sizeof *dwest);
    double *dcell = calloc(g, sizeof *dcell), *dnorth = calloc(g, sizeof *dnorth);
    double *pcell = calloc(g, sizeof *pcell), *pwest = calloc(g, sizeof *pwest);
    double *prow = calloc((size_t)R, sizeof *prow), *pnorth = calloc((size_t)R, sizeof *pnorth);
    double *le = calloc(g, sizeof *le), *lw = calloc(g, sizeof *lw);
    double *ls = calloc(g, sizeof *ls), *ln = calloc(g, sizeof *ln);
    int rc = 0;
    if (!w || !dfrac || !dcol || !dwest || !dcell || !dnorth || !pcell || !pwest || !prow ||
        !pnorth || !le || !lw || !ls || !ln) {
        rc = myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (NoC bound)");
        goto done;
    }
    /* w[D * n + P]: spikes per timestep that producer P sends into consumer D's inputs */
    for (int d = 0; d < n; d++) {
        const myelin_layer *l = &wl->layers[d];
        const myelin_layer_map *dm = &map->layers[d];
        if (dm->cores <= 0 || dm->first_core < 0)
            continue;
        for (int j = 0; j < l->n_inputs && j < 3; j++) {
            int s = l->inputs[j];
            if (s < 0 || s >= n)
                continue; /* the image comes from outside the array */
            stream_producers(wl, map, act, s, act->rate[s] * (double)tensor_elems(wl, s), w + (size_t)d * n, 0);
        }
        /* a spike goes to every core of its token slice (attention: every core) */
        dfrac[d] = (l->kind != MYELIN_LAYER_ATTN && dm->token_slices > 1) ? 1.0 / dm->token_slices : 1.0;
        double tot = 0;
        for (int p = 0; p < n; p++)
            tot += w[(size_t)d * n + p];
        recv[d] = tot * dfrac[d] * flits;
    }
    for (int p = 0; p < n; p++) {
        const myelin_layer_map *pm = &map->layers[p];
        if (pm->cores <= 0 || pm->first_core < 0)
            continue;
        int any = 0;
        for (int d = 0; d < n && !any; d++)
            any = w[(size_t)d * n + p] > 0;
        if (!any)
            continue;
        memset(pcell, 0, g * sizeof *pcell);
        memset(le, 0, g * sizeof *le);
        memset(lw, 0, g * sizeof *lw);
        memset(ls, 0, g * sizeof *ls);
        memset(ln, 0, g * sizeof *ln);
        int y0 = pm->first_core / C, y1 = y0;
        for (int k = 0; k < pm->cores; k++) {
            int64_t r = (int64_t)pm->first_core + k;
            if (r >= (int64_t)g)
                break;
            pcell[r] = 1;
            y1 = (int)(r / C);
        }
        double pall = 0;
        for (int y = 0; y < R; y++) {
            double acc = 0;
            for (int x = 0; x < C; x++) {
                acc += pcell[(size_t)y * C + x];
                pwest[(size_t)y * C + x] = acc; /* producer cores of row y at columns <= x */
            }
            prow[y] = acc;
            pall += acc;
            pnorth[y] = pall; /* producer cores in rows <= y */
        }
        double inj = 0, beta = 0; /* beta: the longest burst, packets per producer core per
                                     destination core (unicast) or per producer core (tree) */
        for (int d = 0; d < n; d++) {
            double sp = w[(size_t)d * n + p];
            const myelin_layer_map *dm = &map->layers[d];
            if (!(sp > 0))
                continue;
            double per = sp / pm->cores * dfrac[d]; /* packets per producer core per destination core */
            int tree = arch->noc_multicast == MYELIN_MULTICAST_TREE;
            /* tree multicast: one packet per spike per producer core; a link carries it once
             * when the tree of the consumer's cores (the union of routes) uses the link */
            double pt = sp / pm->cores;
            inj += tree ? pt : per * dm->cores;
            if ((tree ? pt : per) > beta)
                beta = tree ? pt : per;
            memset(dcol, 0, (size_t)C * sizeof *dcol);
            int dy0 = dm->first_core / C, dy1 = dy0;
            for (int k = 0; k < dm->cores; k++) {
                int64_t r = (int64_t)dm->first_core + k;
                if (r >= (int64_t)g)
                    break;
                dcell[r] = 1;
                dcol[r % C] += 1;
                dy1 = (int)(r / C);
            }
            double dall = 0;
            for (int x = 0; x < C; x++) {
                dall += dcol[x];
                dwest[x] = dall;
            }
            /* column links carry this pair's packets only between its topmost and lowest rows */
            int yl = y0 < dy0 ? y0 : dy0, yh = y1 > dy1 ? y1 : dy1;
            for (int x = 0; x < C; x++) {
                double acc = 0;
                for (int y = yl; y <= yh; y++) {
                    acc += dcell[(size_t)y * C + x];
                    dnorth[(size_t)y * C + x] = acc;
                }
            }
            for (int k = 0; k < dm->cores && (int64_t)dm->first_core + k < (int64_t)g; k++)
                dcell[dm->first_core + k] = 0;
            /* row links (X first): only the producer's rows carry its packets */
            for (int y = y0; y <= y1; y++)
                for (int x = 0; x + 1 < C; x++) {
                    size_t c = (size_t)y * C + x;
                    if (tree) {
                        le[c] += pt * pwest[c] * (dall - dwest[x] > 0);
                        lw[c] += pt * (prow[y] - pwest[c]) * (dwest[x] > 0);
                        continue;
                    }
                    le[c] += per * pwest[c] * (dall - dwest[x]);
                    lw[c] += per * (prow[y] - pwest[c]) * dwest[x];
                }
            /* column links: to the destination's row, in the destination's column */
            for (int x = 0; x < C; x++) {
                if (!(dcol[x] > 0))
                    continue;
                for (int y = yl; y < yh && y + 1 < R; y++) {
                    size_t c = (size_t)y * C + x;
                    if (tree) {
                        ls[c] += pt * pnorth[y] * (dcol[x] - dnorth[c] > 0);
                        ln[c] += pt * (pall - pnorth[y]) * (dnorth[c] > 0);
                        continue;
                    }
                    ls[c] += per * pnorth[y] * (dcol[x] - dnorth[c]);
                    ln[c] += per * (pall - pnorth[y]) * dnorth[c];
                }
            }
        }
        double best = inj;
        for (size_t c = 0; c < g; c++) {
            if (le[c] > best)
                best = le[c];
            if (lw[c] > best)
                best = lw[c];
            if (ls[c] > best)
                best = ls[c];
            if (ln[c] > best)
                best = ln[c];
        }
        /* bounded buffers (noc.buffer_flits B > 0; credit back-pressure as in the SystemC mesh):
         * a burst (one producer core's packets for one destination core, or its tree) that queues
         * at the busiest link fills its B-flit input buffer and holds the link behind it, back to
         * the producer core's injection port, for the rest of its wait; the core's later bursts
         * start that much later.  The core's own bursts are serialized at its injection port
         * anyway (inj), so what a burst waits for is the other cores' traffic at that link,
         * best - inj; first come first served among bursts released together, half of it on
         * average.  The bound grows by max(0, (best - inj) / 2 - B) flits, nothing when the
         * burst fits in the buffer (beta <= B) or the injection port is the bottleneck. */
        double stall = 0;
        int B = arch->noc_buffer_flits;
        if (B > 0 && beta * flits > B) {
            stall = ((best - inj) * flits) / 2 - B;
            if (stall < 0)
                stall = 0;
        }
        send[p] = best * flits + stall;
    }
done:
    free(w);
    free(dfrac);
    free(dcol);
    free(dwest);
    free(dcell);
    free(dnorth);
    free(pcell);
    free(pwest);
    free(prow);
    free(pnorth);
    free(le);
    free(lw);
    free(ls);
    free(ln);
    return rc;
}

void myelin_cost_report_free(myelin_cost_report *r)
{
    if (!r)
        return;
    free(r->layers);
    free(r);
}

/* The price of `count` units of action a, in pJ: the one multiplication of counts by prices. */
static double price_one(const myelin_arch *arch, myelin_action a, double count)
{
    return count * arch->prices[a].pj;
}

double myelin_cost_price(const myelin_arch *arch, const myelin_cost_counts *counts,
                         double *energy_pj)
{
    double total = 0;
    for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
        double e = price_one(arch, (myelin_action)a, counts->count[a]);
        if (energy_pj)
            energy_pj[a] = e;
        total += e;
    }
    return total;
}

/* Adds leakage (layer cores x the inference's cycles) to every layer's counts, then prices every
 * count and sums layers, components and totals: the one place counts meet prices. */
static void price_report(myelin_cost_report *r, const myelin_workload *wl, const myelin_arch *arch)
{
    /* Leakage (power x time, priced once): resident cores leak for the whole inference. */
    myelin_layer_cost *t = &r->total;
    for (int i = 0; i < wl->n_layers; i++) {
        myelin_layer_cost *lc = &r->layers[i];
        lc->counts.count[MYELIN_ACT_LEAKAGE_CORE_CYCLES] += (double)lc->cores * r->inference_cycles;
        for (int a = 0; a < MYELIN_ACT_COUNT; a++) {
            lc->energy_pj[a] = price_one(arch, (myelin_action)a, lc->counts.count[a]);
            lc->component_pj[myelin_action_component((myelin_action)a)] += lc->energy_pj[a];
            lc->total_pj += lc->energy_pj[a];
            t->counts.count[a] += lc->counts.count[a];
            t->energy_pj[a] += lc->energy_pj[a];
        }
        for (int c = 0; c < MYELIN_COMP_COUNT; c++)
            t->component_pj[c] += lc->component_pj[c];
        t->total_pj += lc->total_pj;
        t->counts.synaptic_ops += lc->counts.synaptic_ops;
        t->counts.cycles += lc->counts.cycles;
        t->memory.weight_bits += lc->memory.weight_bits;
        t->memory.bias_bits += lc->memory.bias_bits;
        t->memory.scale_bits += lc->memory.scale_bits;
        t->memory.membrane_bits += lc->memory.membrane_bits;
        t->cores += lc->cores;
        t->neuron_util += lc->cores * lc->neuron_util; /* core-weighted means, divided below */
        t->synapse_util += lc->cores * lc->synapse_util;
    }
    if (r->total.cores > 0) {
        r->total.neuron_util /= r->total.cores;
        r->total.synapse_util /= r->total.cores;
    }
    r->latency_s = r->inference_cycles / arch->clock_hz;
}

/* An empty report for wl on arch with map's core counts, or NULL with err set (out of memory). */
static myelin_cost_report *report_new(const myelin_workload *wl, const myelin_arch *arch,
                                      const myelin_mapping *map, myelin_error *err)
{
    myelin_cost_report *r = calloc(1, sizeof *r);
    if (r)
        r->layers = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *r->layers);
    if (!r || !r->layers) {
        myelin_cost_report_free(r);
        myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (cost report)");
        return NULL;
    }
    r->n_layers = wl->n_layers;
    r->timesteps = wl->timesteps;
    r->cores_used = map->cores_used;
    r->cores_total = map->cores_total;
    snprintf(r->workload, sizeof r->workload, "%s", wl->name);
    snprintf(r->arch, sizeof r->arch, "%s", arch->name);
    r->area_total_mm2 = myelin_arch_area_mm2(arch, (int64_t)arch->rows * arch->cols, r->area_mm2);
    r->area_used_mm2 = myelin_arch_area_mm2(arch, map->cores_used, NULL);
    return r;
}

/* When layer i finishes its inference, for the longest-path latency (cost.h): its work can start
 * on each producer's spikes as soon as that producer is done (a residual consumer works on the
 * stream's early contributors while the latest one still runs), in the order producers finish,
 * each taking its share of `compute` (by spikes contributed); the NoC-bound cycles `bounded`
 * cannot end before the last producer's finish plus the NoC term.  share[] is scratch. */
static double layer_finish(const myelin_workload *wl, const myelin_mapping *map,
                           const myelin_activity *act, int i, double compute, double bounded,
                           const double *finish, double *share)
{
    const myelin_layer *l = &wl->layers[i];
    int n = wl->n_layers;
    for (int p = 0; p < n; p++)
        share[p] = 0;
    double last = 0, tot = 0;
    for (int j = 0; j < l->n_inputs && j < 3; j++) {
        int s = l->inputs[j];
        if (s < 0 || s >= i)
            continue;
        stream_producers(wl, map, act, s, act->rate[s] * (double)tensor_elems(wl, s) + 1e-300,
                         share, 0);
    }
    for (int p = 0; p < i; p++) {
        tot += share[p];
        if (share[p] > 0 && finish[p] > last)
            last = finish[p];
    }
    if (!(tot > 0))
        return last + bounded; /* the image: starts at once */
    double t = 0;
    for (;;) { /* producers in order of finish (ties by index) */
        int best = -1;
        for (int p = 0; p < i; p++)
            if (share[p] > 0 && (best < 0 || finish[p] < finish[best]))
                best = p;
        if (best < 0)
            break;
        t = (t > finish[best] ? t : finish[best]) + compute * share[best] / tot;
        share[best] = 0;
    }
    double nb = bounded > compute ? last + bounded : last;
    return t > nb ? t : nb;
}

int myelin_cost_evaluate(const myelin_workload *wl, const myelin_layer_quant *lq,
                         const myelin_activity *act, const myelin_arch *arch,
                         const myelin_mapping *map, const myelin_cost_registry *reg,
                         myelin_cost_report **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    if (act->n_layers != wl->n_layers || map->n_layers != wl->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "activity (%d layers) or mapping (%d) does not match workload %s (%d)",
                                act->n_layers, map->n_layers, wl->name, wl->n_layers);
    myelin_cost_report *r = report_new(wl, arch, map, err);
    if (!r)
        return MYELIN_ENOMEM;
    snprintf(r->activity, sizeof r->activity, "%s", act->source);
    int flits = myelin_noc_flits_per_packet(wl, arch);
    double *send = calloc((size_t)(wl->n_layers ? wl->n_layers : 1) * 3, sizeof *send);
    if (!send) {
        myelin_cost_report_free(r);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (NoC bound)");
    }
    double *recv = send + wl->n_layers, *finish = send + 2 * wl->n_layers;
    double *share = calloc((size_t)(wl->n_layers ? wl->n_layers : 1), sizeof *share);
    if (!share) {
        free(send);
        myelin_cost_report_free(r);
        return myelin_error_set(err, MYELIN_ENOMEM, NULL, 0, 0, "out of memory (NoC bound)");
    }
    int nrc = noc_bounds(wl, map, act, arch, flits, send, recv, err);
    if (nrc) {
        free(send);
        myelin_cost_report_free(r);
        return nrc;
    }
    for (int i = 0; i < wl->n_layers; i++) {
        const myelin_layer *l = &wl->layers[i];
        myelin_layer_cost *lc = &r->layers[i];
        const myelin_cost_model *m = myelin_cost_registry_find(reg, l->kind, arch->cost_model[l->kind]);
        if (!m) {
            int rc = myelin_error_set(err, MYELIN_ESCHEMA, arch->source, arch->cost_model_line[l->kind],
                                      arch->cost_model_column[l->kind],
                                      "layer %s: no cost model '%s' for kind %s is registered", l->name,
                                      arch->cost_model[l->kind], myelin_layer_kind_name(l->kind));
            free(send);
            free(share);
            myelin_cost_report_free(r);
            return rc;
        }
        myelin_cost_input in;
        memset(&in, 0, sizeof in);
        in.workload = wl;
        in.layer_index = i;
        in.layer = l;
        in.quant = &lq[i];
        in.map = &map->layers[i];
        in.arch = arch;
        in.timesteps = wl->timesteps;
        in.rate_out = act->rate[i];
        double hx = 0, hy = 0, tex = 0, tey = 0;
        int nh = 0;
        for (int j = 0; j < l->n_inputs && j < 3; j++) {
            int src = l->inputs[j];
            in.in_elements[j] = tensor_elems(wl, src);
            if (src == MYELIN_INPUT_IMAGE)
                continue;
            in.rate_in[j] = act->rate[src];
            double x, y;
            int rc = source_hops(wl, map, act, arch, src, in.map, 0, &x, &y, err);
            if (!rc && arch->noc_multicast == MYELIN_MULTICAST_TREE) {
                double tx, ty;
                int tree = (l->kind != MYELIN_LAYER_ATTN && in.map->token_slices > 1) ? 2 : 1;
                rc = source_hops(wl, map, act, arch, src, in.map, tree, &tx, &ty, err);
                tex += tx;
                tey += ty;
            }
            if (rc) {
                free(send);
                free(share);
                myelin_cost_report_free(r);
                return rc;
            }
            hx += x;
            hy += y;
            nh++;
        }
        in.mean_hops_x = nh ? hx / nh : 0;
        in.mean_hops_y = nh ? hy / nh : 0;
        in.tree_edges_x = nh ? tex / nh : 0;
        in.tree_edges_y = nh ? tey / nh : 0;
        char eb[512] = "";
        memset(&lc->counts, 0, sizeof lc->counts);
        if (m->count(&in, &lc->counts, eb, sizeof eb)) {
            int rc = myelin_error_set(err, MYELIN_EUNSUPPORTED, NULL, 0, 0,
                                      "layer %s: cost model '%s' failed: %s", l->name, m->name,
                                      eb[0] ? eb : "(no message)");
            free(send);
            free(share);
            myelin_cost_report_free(r);
            return rc;
        }
        for (int a = 0; a < MYELIN_ACT_COUNT; a++)
            if (!isfinite(lc->counts.count[a]) || lc->counts.count[a] < 0) {
                int rc = myelin_error_set(err, MYELIN_EINTERNAL, NULL, 0, 0,
                                          "layer %s: cost model '%s' returned %g %s (counts must be "
                                          "finite and >= 0)",
                                          l->name, m->name, lc->counts.count[a],
                                          myelin_action_name((myelin_action)a));
                free(send);
                free(share);
                myelin_cost_report_free(r);
                return rc;
            }
        /* NoC serialization: the layer cannot finish a step before its input flits have passed
         * the busiest port or link; the hop latency comes on top (cost.h). */
        double step = send[i] > recv[i] ? send[i] : recv[i];
        lc->noc_cycles = (double)in.timesteps * step;
        double noc = lc->noc_cycles + (double)in.timesteps * (in.mean_hops_x + in.mean_hops_y) *
                                          arch->noc.hop_latency_cycles;
        double compute = lc->counts.cycles;
        if (!(lc->counts.cycles >= noc))
            lc->counts.cycles = noc;
        snprintf(lc->model, sizeof lc->model, "%s", m->name);
        lc->memory = myelin_layer_memory_of(l, &lq[i]);
        lc->cores = map->layers[i].cores;
        lc->neuron_util = map->layers[i].neuron_util;
        lc->synapse_util = map->layers[i].synapse_util;
        lc->rate_in = in.rate_in[0];
        /* layers run as soon as their inputs are done (q, k and v side by side): the inference
         * takes the longest path through the graph (cost.h) */
        finish[i] = layer_finish(wl, map, act, i, compute, lc->counts.cycles, finish, share);
        if (finish[i] > r->inference_cycles)
            r->inference_cycles = finish[i];
    }
    /* each timestep closes with a barrier across the mesh, as in the SystemC model */
    r->inference_cycles += (double)wl->timesteps * (arch->rows + arch->cols) *
                           (arch->noc.hop_latency_cycles > 0 ? arch->noc.hop_latency_cycles : 1);
    free(send);
    free(share);
    price_report(r, wl, arch);
    *out = r;
    return 0;
}

int myelin_cost_report_from_counts(const myelin_workload *wl, const myelin_layer_quant *lq,
                                   const myelin_arch *arch, const myelin_mapping *map,
                                   const myelin_cost_counts *counts, const double *rate_in,
                                   double inference_cycles, const char *model, const char *activity,
                                   myelin_cost_report **out, myelin_error *err)
{
    *out = NULL;
    myelin_error_clear(err);
    if (map->n_layers != wl->n_layers)
        return myelin_error_set(err, MYELIN_EUSAGE, NULL, 0, 0,
                                "mapping (%d layers) does not match workload %s (%d)", map->n_layers,
                                wl->name, wl->n_layers);
    myelin_cost_report *r = report_new(wl, arch, map, err);
    if (!r)
        return MYELIN_ENOMEM;
    r->inference_cycles = inference_cycles;
    snprintf(r->activity, sizeof r->activity, "%s", activity ? activity : "");
    for (int i = 0; i < wl->n_layers; i++) {
        myelin_layer_cost *lc = &r->layers[i];
        lc->counts = counts[i];
        lc->counts.count[MYELIN_ACT_LEAKAGE_CORE_CYCLES] = 0;
        snprintf(lc->model, sizeof lc->model, "%s", model ? model : "");
        lc->memory = myelin_layer_memory_of(&wl->layers[i], &lq[i]);
        lc->cores = map->layers[i].cores;
        lc->neuron_util = map->layers[i].neuron_util;
        lc->synapse_util = map->layers[i].synapse_util;
        lc->rate_in = rate_in ? rate_in[i] : 0;
    }
    price_report(r, wl, arch);
    *out = r;
    return 0;
}
