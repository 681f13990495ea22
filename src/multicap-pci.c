// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-pci.c - bus glue for the multicap PCIe card
 *
 * BAR0 is the register window (include/multicap-regs.h). One interrupt
 * vector: MSI-X, MSI or legacy INTx, whichever the platform gives. DMA is
 * 64-bit if the card says so, else 32-bit.
 *
 * Surprise removal: reads return all-ones once the link is gone; the core
 * notices and stops touching the card, and remove() still runs.
 */

#include <linux/module.h>
#include <linux/pci.h>

#include "multicap.h"

/* Placeholder IDs of the development board (Xilinx vendor ID, FPGA design). */
#define MULTICAP_PCI_VENDOR_ID	0x10ee
#define MULTICAP_PCI_DEVICE_ID	0x7c10

static int multicap_pci_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	struct regmap *map;
	void __iomem *bar0;
	char bus_info[32];
	u32 caps;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	bar0 = multicap_pcim_iomap_bar(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(bar0))
		return PTR_ERR(bar0);
	if (pci_resource_len(pdev, 0) < MULTICAP_BAR0_SIZE)
		return -ENODEV;

	caps = readl(bar0 + MULTICAP_REG_CAPS);
	ret = dma_set_mask_and_coherent(&pdev->dev, (caps & MULTICAP_CAP_DMA64) ?
					DMA_BIT_MASK(64) : DMA_BIT_MASK(32));
	if (ret)
		ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		return ret;
	pci_set_master(pdev);

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		return ret;

	map = devm_regmap_init_mmio(&pdev->dev, bar0, multicap_regmap_config());
	if (IS_ERR(map)) {
		ret = PTR_ERR(map);
		goto err_vectors;
	}
	snprintf(bus_info, sizeof(bus_info), "PCI:%s", pci_name(pdev));
	ret = multicap_probe(&pdev->dev, map, pci_irq_vector(pdev, 0), bus_info,
			     "multicap PCIe");
	if (ret)
		goto err_vectors;
	return 0;

err_vectors:
	pci_free_irq_vectors(pdev);
	return ret;
}

static void multicap_pci_remove(struct pci_dev *pdev)
{
	multicap_remove(&pdev->dev);
	pci_free_irq_vectors(pdev);
}

static const struct pci_device_id multicap_pci_ids[] = {
	{ PCI_DEVICE(MULTICAP_PCI_VENDOR_ID, MULTICAP_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, multicap_pci_ids);

/* PCI bus binding. */
static struct pci_driver multicap_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = multicap_pci_ids,
	.probe = multicap_pci_probe,
	.remove = multicap_pci_remove,
};

/**
 * multicap_pci_register() - register the PCI bus glue
 *
 * Return: 0 or the error of pci_register_driver().
 */
int multicap_pci_register(void)
{
	return pci_register_driver(&multicap_pci_driver);
}

/**
 * multicap_pci_unregister() - unregister the PCI bus glue
 */
void multicap_pci_unregister(void)
{
	pci_unregister_driver(&multicap_pci_driver);
}
