// SPDX-License-Identifier: GPL-2.0-only
/*
 * multicap-platform.c - bus glue for multicap cards on the platform bus
 *
 * Binds MULTICAP_PLATFORM_NAME devices, today the simulated card of
 * module multicap_sim: registers through the accessors in the platform
 * data (wrapped in a regmap), the IRQ resource, and the device for DMA.
 */

#include <linux/platform_device.h>

#include "multicap.h"
#include "multicap-platform.h"

static int multicap_platform_probe(struct platform_device *pdev)
{
	struct multicap_platform_data *pdata = dev_get_platdata(&pdev->dev);
	struct regmap_config cfg = *multicap_regmap_config();
	char bus_info[32];
	struct regmap *map;
	int irq;

	if (!pdata || !pdata->reg_read || !pdata->reg_write)
		return -EINVAL;
	cfg.reg_read = pdata->reg_read;
	cfg.reg_write = pdata->reg_write;
	map = devm_regmap_init(&pdev->dev, NULL, pdata->context, &cfg);
	if (IS_ERR(map))
		return PTR_ERR(map);
	irq = platform_get_irq_optional(pdev, 0);
	if (irq < 0 && irq != -ENXIO)
		return irq;

	snprintf(bus_info, sizeof(bus_info), "platform:%s", dev_name(&pdev->dev));
	return multicap_probe(&pdev->dev, map, irq, bus_info,
			      pdata->model ? pdata->model : "multicap");
}

static void multicap_platform_remove(struct platform_device *pdev)
{
	multicap_remove(&pdev->dev);
}

/* Platform bus binding. */
static struct platform_driver multicap_platform_driver = {
	.driver = {
		.name = MULTICAP_PLATFORM_NAME,
	},
	.probe = multicap_platform_probe,
	MULTICAP_PLATFORM_REMOVE(multicap_platform_remove),
};

/**
 * multicap_platform_register() - register the platform bus glue
 *
 * Return: 0 or the error of platform_driver_register().
 */
int multicap_platform_register(void)
{
	return platform_driver_register(&multicap_platform_driver);
}

/**
 * multicap_platform_unregister() - unregister the platform bus glue
 */
void multicap_platform_unregister(void)
{
	platform_driver_unregister(&multicap_platform_driver);
}

MODULE_ALIAS("platform:" MULTICAP_PLATFORM_NAME);
