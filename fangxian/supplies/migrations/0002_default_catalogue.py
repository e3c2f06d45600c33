"""The default catalogue: what a community's stockpile holds in an epidemic (the seed article's list
of masks, alcohol, protective suits and goggles, and what came next). Existing codes are left alone,
so the migration never changes an item an operator has edited."""

from decimal import Decimal

from django.db import migrations

ITEMS = [
    # code, Chinese, English, category, unit, pack size, use per person per day
    ("mask-n95", "N95口罩", "N95 mask", "masks", "piece", 50, "1"),
    ("mask-surgical", "医用外科口罩", "Surgical mask", "masks", "piece", 50, "2"),
    ("suit", "医用防护服", "Protective suit", "protection", "piece", 1, "1"),
    ("goggles", "护目镜", "Goggles", "protection", "piece", 1, "0.1"),
    ("face-shield", "防护面屏", "Face shield", "protection", "piece", 1, "0.1"),
    ("gloves", "一次性手套", "Disposable gloves", "protection", "pair", 100, "4"),
    ("shoe-covers", "鞋套", "Shoe covers", "protection", "pair", 100, "2"),
    ("alcohol-75", "75%酒精", "75% alcohol", "disinfection", "bottle", 24, "0.1"),
    ("chlorine-tablets", "含氯消毒片", "Chlorine disinfectant tablets", "disinfection", "bottle", 20, "0.05"),
    ("disinfectant-84", "84消毒液", "84 disinfectant", "disinfection", "barrel", 4, "0.02"),
    ("hand-sanitizer", "免洗洗手液", "Hand sanitiser", "disinfection", "bottle", 24, "0.05"),
    ("sprayer", "喷雾器", "Sprayer", "disinfection", "piece", 1, "0"),
    ("thermometer-ir", "红外测温枪", "Infrared thermometer", "medical", "piece", 1, "0"),
    ("thermometer", "体温计", "Clinical thermometer", "medical", "piece", 10, "0"),
    ("antigen-test", "抗原检测试剂", "Antigen test kit", "medical", "set", 20, "0.5"),
    ("antipyretic", "退烧药", "Fever reducer", "medical", "box", 1, "0"),
    ("rice", "大米", "Rice", "food", "kg", 10, "0.4"),
    ("flour", "面粉", "Flour", "food", "kg", 10, "0.2"),
    ("cooking-oil", "食用油", "Cooking oil", "food", "litre", 5, "0.03"),
    ("vegetable-pack", "蔬菜包", "Vegetable pack", "food", "bag", 1, "0.15"),
    ("milk", "牛奶", "Milk", "food", "box", 12, "0.3"),
    ("water", "饮用水", "Drinking water", "food", "bottle", 24, "1.5"),
    ("instant-noodles", "方便面", "Instant noodles", "food", "bag", 24, "0.5"),
    ("rubbish-bags", "垃圾袋", "Rubbish bags", "daily", "piece", 100, "1"),
    ("toilet-paper", "卫生纸", "Toilet paper", "daily", "piece", 10, "0.2"),
    ("yellow-bags", "医疗废物袋", "Medical waste bags", "daily", "piece", 100, "0.2"),
]


def forward(apps, schema_editor):
    Item = apps.get_model("supplies", "Item")
    existing = set(Item.objects.values_list("code", flat=True))
    Item.objects.bulk_create(
        [
            Item(
                code=code,
                name_zh=zh,
                name_en=en,
                category=category,
                unit=unit,
                pack_size=pack,
                per_person_per_day=Decimal(per_day),
            )
            for code, zh, en, category, unit, pack, per_day in ITEMS
            if code not in existing
        ]
    )


def backward(apps, schema_editor):
    apps.get_model("supplies", "Item").objects.filter(code__in=[row[0] for row in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("supplies", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
