/*
 * multicap: simulated multi-channel PCIe video-capture card
 *
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * A QEMU PCIe device around the portable card model of the multicap
 * project (multicap-model-*.c, include/multicap-regs.h): the same card the
 * multicap_sim kernel module simulates, but on a real (virtual) PCIe bus,
 * so the multicap driver binds to it through its PCI driver, with DMA that
 * goes through the guest's IOMMU and with real MSI-X/MSI/INTx interrupts.
 * Modelled on hw/misc/edu.c.
 *
 * PCI identity: vendor 0x10ee, device 0x7c10 (placeholders, as in the
 * driver's src/multicap-pci.c), class 0x0400 (multimedia video), revision 1.
 * A PCIe endpoint (PCIe capability), so it sits behind a pcie-root-port and
 * can be hot-plugged there.
 *
 * BARs:
 *   BAR0  32-bit MMIO, MULTICAP_BAR0_SIZE: the register file, 32-bit
 *         accesses only (others are rejected by the memory core)
 *   BAR2  MSI-X table and PBA (exclusive BAR)
 *
 * Interrupt vectors: the card has a single interrupt; IRQ_STATUS tells the
 * driver which causes (channels' frame rings, inputs) raised it.
 *   MSI-X vector 0   the card's interrupt (used when MSI-X is enabled)
 *   MSI vector 0     the same, when the guest enables MSI instead (1 vector)
 *   INTx pin A       otherwise; level-triggered, the line follows
 *                    multicap_model_irq_asserted() (IRQ_ENABLE on and
 *                    IRQ_STATUS & IRQ_MASK != 0), refreshed after every
 *                    register write and whenever the IRQ timer fires. An
 *                    injected spurious interrupt is a short pulse.
 * Messages are sent from the model's IRQ timer (which implements
 * IRQ_COALESCE_US): when it fires and multicap_model_irq_fire() says so.
 *
 * Threads: register accesses run on vCPU threads, timers (the channel
 * engines, which also fill the pixels, and the IRQ timer) on the main
 * loop; both under the BQL, so the model's locks are empty
 * (multicap-model-user.h). All DMA goes through pci_dma_read/write, so an
 * IOMMU translates (and can refuse) every access; a refused access is a
 * DMA error of the card, not a QEMU error.
 *
 * Properties:
 *   channels=N          1..16, default 4 (realize time)
 *   mode=WxHpR|none     the initial input of every channel, default
 *                       1920x1080p60 (realize time)
 *   lines-per-chunk=N   1..255, FORMAT's reset value, default 16
 *   nofill=on|off       complete descriptors without writing pixels
 *   genlock=on|off      every channel's frames on one card-wide frame grid,
 *                       REG_SYNC reads GENLOCK; default off (realize time)
 *   clock-ppb=N         the card clock's crystal error, parts per billion,
 *                       -500000..500000, default 25000 (realize time)
 *   input=CH:MODE       runtime (qom-set): plug a mode into channel CH,
 *                       "CH:none" pulls the cable; reads back all inputs
 *   inject=CH:FAULT     runtime (qom-set): inject a fault (desc-error,
 *                       overflow, stall, link-down, spurious-irq,
 *                       stray-dma, desc-lost); reads back the fault names
 *   undef-writes, dma-faults, irqs   read-only counters of the card
 *
 * The device has no migration state and is marked unmigratable.
 */

#include "qemu/osdep.h"
#include "qemu/ctype.h"
#include "qemu/cutils.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qom/object.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"

/* The model (kernel-style C through its userspace shim); last, see there. */
#include "multicap-model.h"

#define TYPE_MULTICAP "multicap"
OBJECT_DECLARE_SIMPLE_TYPE(MulticapState, MULTICAP)

#define MULTICAP_VENDOR_ID      0x10ee
#define MULTICAP_DEVICE_ID      0x7c10
#define MULTICAP_REVISION       1
#define MULTICAP_MSIX_BAR       2
#define MULTICAP_DEFAULT_MODE   "1920x1080p60"
/*
 * Where MULTICAP_MODEL_FAULT_STRAY aims: above guest RAM, below a 39-bit
 * IOMMU width.
 */
#define MULTICAP_STRAY_ADDR     0x7fffff0000ULL

typedef struct MulticapTimer {
    MulticapState *s;
    unsigned int id;
    QEMUTimer *timer;
} MulticapTimer;

struct MulticapState {
    PCIDevice parent_obj;

    MemoryRegion mmio;
    struct multicap_model_card *card;
    MulticapTimer timers[MULTICAP_MODEL_NUM_TIMERS];
    bool msix_used;

    /* properties */
    uint32_t channels;
    char *mode;
    uint32_t lpc;
    bool nofill;
    bool genlock;
    int32_t clock_ppb;
};

/* ---- interrupt -------------------------------------------------------- */

static bool multicap_msi_active(PCIDevice *pdev)
{
    return msix_enabled(pdev) || msi_enabled(pdev);
}

/* INTx follows the card's interrupt condition, unless MSI(-X) is on. */
static void multicap_update_intx(MulticapState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    pci_set_irq(pdev, s->card && !multicap_msi_active(pdev) &&
                multicap_model_irq_asserted(s->card));
}

static void multicap_irq_timer(MulticapState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (multicap_model_irq_fire(s->card)) {
        if (msix_enabled(pdev)) {
            msix_notify(pdev, 0);
        } else if (msi_enabled(pdev)) {
            msi_notify(pdev, 0);
        } else if (!multicap_model_irq_asserted(s->card)) {
            /* a spurious interrupt: no cause, so only a pulse */
            pci_irq_pulse(pdev);
        }
    }
    multicap_update_intx(s);
}

/* ---- host services for the model -------------------------------------- */

static u64 multicap_now_ns(struct multicap_model_card *card)
{
    return qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
}

static int multicap_dma_read(struct multicap_model_card *card, u64 addr,
                             void *buf, u32 len)
{
    MulticapState *s = card->host;

    return pci_dma_read(PCI_DEVICE(s), addr, buf, len) == MEMTX_OK ? 0 : -EIO;
}

static int multicap_dma_write(struct multicap_model_card *card, u64 addr,
                              const void *buf, u32 len)
{
    MulticapState *s = card->host;

    return pci_dma_write(PCI_DEVICE(s), addr, buf, len) == MEMTX_OK ?
           0 : -EIO;
}

static void multicap_timer_start(struct multicap_model_card *card,
                                 unsigned int id, u64 when_ns)
{
    MulticapState *s = card->host;

    assert(id < MULTICAP_MODEL_NUM_TIMERS);
    timer_mod(s->timers[id].timer, when_ns);
}

/* Callbacks run under the BQL, as do all callers: none can be running. */
static bool multicap_timer_stop(struct multicap_model_card *card,
                                unsigned int id, bool wait)
{
    MulticapState *s = card->host;

    assert(id < MULTICAP_MODEL_NUM_TIMERS);
    timer_del(s->timers[id].timer);
    return true;
}

static bool multicap_timer_pending(struct multicap_model_card *card,
                                   unsigned int id)
{
    MulticapState *s = card->host;

    assert(id < MULTICAP_MODEL_NUM_TIMERS);
    return timer_pending(s->timers[id].timer);
}

static const struct multicap_model_host_ops multicap_host_ops = {
    .now_ns = multicap_now_ns,
    .dma_read = multicap_dma_read,
    .dma_write = multicap_dma_write,
    .dma_ptr = NULL,    /* always through pci_dma_*, so the IOMMU translates */
    .timer_start = multicap_timer_start,
    .timer_stop = multicap_timer_stop,
    .timer_pending = multicap_timer_pending,
};

static void multicap_timer_cb(void *opaque)
{
    MulticapTimer *t = opaque;
    MulticapState *s = t->s;
    u64 next;

    if (t->id == MULTICAP_MODEL_TIMER_IRQ) {
        multicap_irq_timer(s);
        return;
    }
    next = multicap_model_engine_tick(&s->card->ch[t->id]);
    if (next) {
        timer_mod(t->timer, next);
    }
}

/* ---- BAR0 ------------------------------------------------------------- */

static uint64_t multicap_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    MulticapState *s = opaque;

    return multicap_model_reg_read(s->card, addr);
}

static void multicap_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    MulticapState *s = opaque;

    multicap_model_reg_write(s->card, addr, val);
    multicap_update_intx(s);
}

static const MemoryRegionOps multicap_mmio_ops = {
    .read = multicap_mmio_read,
    .write = multicap_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 4,
    },
};

/* ---- PCI device --------------------------------------------------------- */

static void multicap_write_config(PCIDevice *pdev, uint32_t addr,
                                  uint32_t val, int len)
{
    pci_default_write_config(pdev, addr, val, len);
    /* MSI(-X) switched on or off: INTx takes over or lets go */
    multicap_update_intx(MULTICAP(pdev));
}

static void multicap_free(MulticapState *s)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    unsigned int i;

    if (s->card) {
        multicap_model_card_stop(s->card);
    }
    for (i = 0; i < MULTICAP_MODEL_NUM_TIMERS; i++) {
        timer_free(s->timers[i].timer);
        s->timers[i].timer = NULL;
    }
    multicap_model_card_free(s->card);
    s->card = NULL;
    if (s->msix_used) {
        msix_vector_unuse(pdev, 0);
        s->msix_used = false;
    }
    msix_uninit_exclusive_bar(pdev);
    msi_uninit(pdev);
}

static void multicap_realize(PCIDevice *pdev, Error **errp)
{
    MulticapState *s = MULTICAP(pdev);
    const char *mode_text = s->mode ? s->mode : MULTICAP_DEFAULT_MODE;
    struct multicap_model_mode mode;
    unsigned int i;
    int ret;

    if (s->channels < 1 || s->channels > MULTICAP_MAX_CHANNELS) {
        error_setg(errp, "multicap: channels=%" PRIu32 " is out of range "
                   "(1..%d)", s->channels, MULTICAP_MAX_CHANNELS);
        return;
    }
    if (s->lpc < 1 || s->lpc > FIELD_MAX(MULTICAP_FORMAT_LINES_MSK)) {
        error_setg(errp, "multicap: lines-per-chunk=%" PRIu32 " is out of "
                   "range (1..%u)", s->lpc,
                   (unsigned int)FIELD_MAX(MULTICAP_FORMAT_LINES_MSK));
        return;
    }
    if (s->clock_ppb < -MULTICAP_MODEL_MAX_CLOCK_PPB ||
        s->clock_ppb > MULTICAP_MODEL_MAX_CLOCK_PPB) {
        error_setg(errp, "multicap: clock-ppb=%" PRId32 " is out of range "
                   "(%d..%d)", s->clock_ppb, -MULTICAP_MODEL_MAX_CLOCK_PPB,
                   MULTICAP_MODEL_MAX_CLOCK_PPB);
        return;
    }
    if (multicap_model_parse_mode(mode_text, &mode)) {
        error_setg(errp, "multicap: mode=%s is not a valid input mode",
                   mode_text);
        error_append_hint(errp, "Use WIDTHxHEIGHTpRATE (64..%d x 64..%d, "
                          "even sizes, 1..120 Hz), e.g. 1280x720p60, "
                          "or none\n", MULTICAP_MODEL_MAX_WIDTH,
                          MULTICAP_MODEL_MAX_HEIGHT);
        return;
    }

    pci_config_set_interrupt_pin(pdev->config, 1);

    ret = pcie_endpoint_cap_init(pdev, 0);
    if (ret < 0) {
        error_setg(errp, "multicap: cannot add the PCIe capability (%d)",
                   ret);
        return;
    }
    if (msi_init(pdev, 0, 1, true, false, errp)) {
        return;
    }
    if (msix_init_exclusive_bar(pdev, 1, MULTICAP_MSIX_BAR, errp)) {
        msi_uninit(pdev);
        return;
    }
    msix_vector_use(pdev, 0);
    s->msix_used = true;

    for (i = 0; i < MULTICAP_MODEL_NUM_TIMERS; i++) {
        s->timers[i].s = s;
        s->timers[i].id = i;
        s->timers[i].timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                          multicap_timer_cb, &s->timers[i]);
    }

    s->card = multicap_model_card_alloc(0, s->channels, &mode, s->lpc,
                                        &multicap_host_ops, s);
    if (!s->card) {
        error_setg(errp, "multicap: cannot allocate the card model");
        multicap_free(s);
        return;
    }
    s->card->stray_addr = MULTICAP_STRAY_ADDR;
    s->card->nofill = &s->nofill;
    s->card->genlock = s->genlock;
    s->card->clock_ppb = s->clock_ppb;

    memory_region_init_io(&s->mmio, OBJECT(s), &multicap_mmio_ops, s,
                          "multicap-regs", MULTICAP_BAR0_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
}

static void multicap_exit(PCIDevice *pdev)
{
    multicap_free(MULTICAP(pdev));
}

static void multicap_reset(DeviceState *dev)
{
    MulticapState *s = MULTICAP(dev);

    if (s->card) {
        multicap_model_reg_write(s->card, MULTICAP_REG_RESET,
                                 MULTICAP_RESET_KEY);
    }
    multicap_update_intx(s);
}

/* ---- runtime properties ------------------------------------------------- */

/* The fault names of the model, separated by @sep; g_free() it. */
static char *multicap_fault_names(const char *sep)
{
    GString *str = g_string_new("");
    unsigned int i;

    for (i = 0; i < MULTICAP_MODEL_FAULT_COUNT; i++) {
        g_string_append_printf(str, "%s%s", i ? sep : "",
                               multicap_model_fault_names[i]);
    }
    return g_string_free(str, false);
}

/* Parse "CH:REST" of property @prop; returns the channel and sets @rest. */
static struct multicap_model_channel *multicap_parse_channel(MulticapState *s,
                                                             const char *prop,
                                                             const char *value,
                                                             const char **rest,
                                                             Error **errp)
{
    const char *end;
    unsigned int ch;

    if (!s->card) {
        error_setg(errp, "multicap: %s can only be set on a realized device "
                   "(qom-set)", prop);
        return NULL;
    }
    if (!qemu_isdigit(value[0]) ||
        qemu_strtoui(value, &end, 10, &ch) < 0 || *end != ':') {
        error_setg(errp, "multicap: %s='%s' is not CHANNEL:VALUE", prop,
                   value);
        return NULL;
    }
    if (ch >= s->card->nch) {
        error_setg(errp, "multicap: %s: channel %u does not exist "
                   "(channels 0..%u)", prop, ch, s->card->nch - 1);
        return NULL;
    }
    *rest = end + 1;
    return &s->card->ch[ch];
}

static void multicap_set_input(Object *obj, const char *value, Error **errp)
{
    MulticapState *s = MULTICAP(obj);
    struct multicap_model_channel *ch;
    struct multicap_model_mode mode;
    const char *text;

    ch = multicap_parse_channel(s, "input", value, &text, errp);
    if (!ch) {
        return;
    }
    if (multicap_model_parse_mode(text, &mode)) {
        error_setg(errp, "multicap: input: '%s' is not a valid mode "
                   "(WIDTHxHEIGHTpRATE or none)", text);
        return;
    }
    multicap_model_set_input(ch, &mode);
    multicap_update_intx(s);
}

static char *multicap_get_input(Object *obj, Error **errp)
{
    MulticapState *s = MULTICAP(obj);
    GString *str = g_string_new("");
    char buf[MULTICAP_MODEL_MODE_TEXT_MAX];
    struct multicap_model_mode mode;
    unsigned int i;

    for (i = 0; s->card && i < s->card->nch; i++) {
        multicap_model_get_input(&s->card->ch[i], &mode);
        multicap_model_format_mode(&mode, buf, sizeof(buf));
        buf[strcspn(buf, "\n")] = '\0';
        g_string_append_printf(str, "%s%u:%s", i ? " " : "", i, buf);
    }
    return g_string_free(str, false);
}

static void multicap_set_inject(Object *obj, const char *value, Error **errp)
{
    MulticapState *s = MULTICAP(obj);
    struct multicap_model_channel *ch;
    const char *fault;
    g_autofree char *names = NULL;

    ch = multicap_parse_channel(s, "inject", value, &fault, errp);
    if (!ch) {
        return;
    }
    if (multicap_model_inject(ch, fault)) {
        names = multicap_fault_names(", ");
        error_setg(errp, "multicap: inject: unknown fault '%s' (one of: %s)",
                   fault, names);
        return;
    }
    multicap_update_intx(s);
}

static char *multicap_get_inject(Object *obj, Error **errp)
{
    return multicap_fault_names(" ");
}

/*
 * opaque of the counter properties: the field's offset in
 * struct multicap_model_card
 */
#define MULTICAP_COUNTER(field) \
    ((void *)(uintptr_t)offsetof(struct multicap_model_card, field))

static void multicap_get_counter(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    MulticapState *s = MULTICAP(obj);
    uint64_t val = 0;

    if (s->card) {
        val = *(const u64 *)((const char *)s->card + (uintptr_t)opaque);
    }
    visit_type_uint64(v, name, &val, errp);
}

/* ---- type ------------------------------------------------------------- */

static Property multicap_properties[] = {
    DEFINE_PROP_UINT32("channels", MulticapState, channels, 4),
    DEFINE_PROP_STRING("mode", MulticapState, mode),
    DEFINE_PROP_UINT32("lines-per-chunk", MulticapState, lpc,
                       MULTICAP_MODEL_DEFAULT_LPC),
    DEFINE_PROP_BOOL("nofill", MulticapState, nofill, false),
    DEFINE_PROP_BOOL("genlock", MulticapState, genlock, false),
    DEFINE_PROP_INT32("clock-ppb", MulticapState, clock_ppb,
                      MULTICAP_MODEL_DEFAULT_CLOCK_PPB),
    DEFINE_PROP_END_OF_LIST(),
};

static const VMStateDescription vmstate_multicap = {
    .name = TYPE_MULTICAP,
    .unmigratable = 1,
};

static void multicap_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = multicap_realize;
    k->exit = multicap_exit;
    k->config_write = multicap_write_config;
    k->vendor_id = MULTICAP_VENDOR_ID;
    k->device_id = MULTICAP_DEVICE_ID;
    k->revision = MULTICAP_REVISION;
    k->class_id = PCI_CLASS_MULTIMEDIA_VIDEO;
    dc->desc = "multicap multi-channel video capture card (simulated)";
    dc->reset = multicap_reset;
    dc->vmsd = &vmstate_multicap;
    device_class_set_props(dc, multicap_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);

    object_class_property_add_str(klass, "input", multicap_get_input,
                                  multicap_set_input);
    object_class_property_set_description(klass, "input",
        "CH:MODE: plug input MODE (WxHpR or none) into channel CH (runtime)");
    object_class_property_add_str(klass, "inject", multicap_get_inject,
                                  multicap_set_inject);
    object_class_property_set_description(klass, "inject",
        "CH:FAULT: inject FAULT on channel CH (runtime)");
    object_class_property_add(klass, "undef-writes", "uint64",
                              multicap_get_counter, NULL, NULL,
                              MULTICAP_COUNTER(undef_writes));
    object_class_property_add(klass, "dma-faults", "uint64",
                              multicap_get_counter, NULL, NULL,
                              MULTICAP_COUNTER(dma_faults));
    object_class_property_add(klass, "irqs", "uint64",
                              multicap_get_counter, NULL, NULL,
                              MULTICAP_COUNTER(irqs));
}

static const TypeInfo multicap_info = {
    .name = TYPE_MULTICAP,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(MulticapState),
    .class_init = multicap_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void multicap_register_types(void)
{
    type_register_static(&multicap_info);
}

type_init(multicap_register_types)
