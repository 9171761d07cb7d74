"""Word lists of the demo catalogue, in English, Traditional and Simplified Chinese.

Product names are built as brand + quality word + item (金鑊特級生抽, "Golden Wok Premium Light
Soy Sauce"); SKUs add a size or pack (1.9公升). Hong Kong and mainland usage differ in places
(豉油/酱油 aside, 忌廉/奶油, 曱甴/蟑螂), so the Simplified text is written, not converted.
"""

from typing import NamedTuple


class T(NamedTuple):
    """One text in the three catalogue languages."""

    en: str
    hant: str
    hans: str


def t(en: str, hant: str, hans: str | None = None) -> T:
    """A text whose Simplified form defaults to the Traditional one (when they are the same)."""
    return T(en, hant, hant if hans is None else hans)


class Variant(NamedTuple):
    code: str
    name: T
    unit: str
    factor: str  # price of this size relative to the smallest, as a decimal string


class Family(NamedTuple):
    code: str
    name: T
    brands: tuple[T, ...]
    qualities: tuple[T, ...]


class CategorySpec(NamedTuple):
    code: str
    prefix: str
    family: str
    name: T
    variants: str
    price_hkd: tuple[int, int]  # range of the smallest size's list price
    items: tuple[T, ...]
    exportable: bool = True  # chilled and frozen goods are not on the export price list


def _v(code: str, en: str, hant: str, hans: str | None, unit: str, factor: str) -> Variant:
    return Variant(code, t(en, hant, hans), unit, factor)


VARIANTS: dict[str, tuple[Variant, ...]] = {
    "sauce": (
        _v("500", "500 ml", "500毫升", None, "bottle", "1"),
        _v("19L", "1.9 L", "1.9公升", "1.9升", "bottle", "3.2"),
        _v("18L", "18 L tin", "18公升罐裝", "18升罐装", "tin", "26"),
    ),
    "oil": (
        _v("1L", "1 L", "1公升", "1升", "bottle", "1"),
        _v("5L", "5 L", "5公升", "5升", "bottle", "4.3"),
        _v("18L", "18 L tin", "18公升罐裝", "18升罐装", "tin", "14"),
    ),
    "dry_bag": (
        _v("1K", "1 kg bag", "1公斤裝", "1公斤装", "bag", "1"),
        _v("5K", "5 kg bag", "5公斤裝", "5公斤装", "bag", "4.4"),
        _v("25K", "25 kg sack", "25公斤大袋", None, "sack", "19"),
    ),
    "dry_pack": (
        _v("500G", "500 g", "500克", None, "pack", "1"),
        _v("1K", "1 kg", "1公斤", None, "pack", "1.8"),
        _v("10K", "10 kg carton", "10公斤箱裝", "10公斤箱装", "ctn", "16"),
    ),
    "jar": (
        _v("500G", "500 g jar", "500克樽裝", "500克瓶装", "jar", "1"),
        _v("1K", "1 kg tub", "1公斤桶裝", "1公斤桶装", "tub", "1.8"),
        _v("5K", "5 kg bag", "5公斤袋裝", "5公斤袋装", "bag", "7.5"),
    ),
    "can": (
        _v("400G", "400 g can", "400克罐裝", "400克罐装", "can", "1"),
        _v("25K", "2.5 kg can", "2.5公斤罐裝", "2.5公斤罐装", "can", "5"),
        _v("24X", "carton of 24 × 400 g", "24罐箱裝", "24罐箱装", "ctn", "21"),
    ),
    "frozen": (
        _v("1K", "1 kg pack", "1公斤裝", "1公斤装", "pack", "1"),
        _v("2K", "2 kg pack", "2公斤裝", "2公斤装", "pack", "1.9"),
        _v("10K", "10 kg carton", "10公斤箱裝", "10公斤箱装", "ctn", "9"),
    ),
    "dimsum": (
        _v("20P", "pack of 20", "20件裝", "20件装", "pack", "1"),
        _v("50P", "tray of 50", "50件盤裝", "50件盘装", "tray", "2.4"),
        _v("200P", "carton of 200", "200件箱裝", "200件箱装", "ctn", "9"),
    ),
    "dairy": (
        _v("1", "single", "單件", "单件", "pc", "1"),
        _v("6", "case of 6", "6件箱裝", "6件箱装", "case", "5.8"),
        _v("12", "case of 12", "12件箱裝", "12件箱装", "case", "11"),
    ),
    "syrup": (
        _v("1K", "1 kg", "1公斤", None, "bottle", "1"),
        _v("25K", "2.5 kg", "2.5公斤", None, "bottle", "2.3"),
        _v("6X", "carton of 6 × 2.5 kg", "6 × 2.5公斤箱裝", "6 × 2.5公斤箱装", "ctn", "13"),
    ),
    "dry_small": (
        _v("250G", "250 g", "250克", None, "pack", "1"),
        _v("600G", "600 g", "600克", None, "pack", "2.2"),
        _v("5K", "5 kg carton", "5公斤箱裝", "5公斤箱装", "ctn", "16"),
    ),
    "container": (
        _v(
            "500", "500 ml, carton of 300", "500毫升（300個/箱）", "500毫升（300个/箱）", "ctn", "1"
        ),
        _v(
            "750",
            "750 ml, carton of 300",
            "750毫升（300個/箱）",
            "750毫升（300个/箱）",
            "ctn",
            "1.15",
        ),
        _v(
            "1000",
            "1000 ml, carton of 300",
            "1000毫升（300個/箱）",
            "1000毫升（300个/箱）",
            "ctn",
            "1.3",
        ),
    ),
    "cup": (
        _v("8OZ", "8 oz, carton of 1,000", "8安士（1000個/箱）", "8盎司（1000个/箱）", "ctn", "1"),
        _v(
            "12OZ",
            "12 oz, carton of 1,000",
            "12安士（1000個/箱）",
            "12盎司（1000个/箱）",
            "ctn",
            "1.2",
        ),
        _v(
            "16OZ",
            "16 oz, carton of 1,000",
            "16安士（1000個/箱）",
            "16盎司（1000个/箱）",
            "ctn",
            "1.4",
        ),
    ),
    "count": (
        _v("100", "pack of 100", "100件裝", "100件装", "pack", "1"),
        _v("1000", "carton of 1,000", "1000件箱裝", "1000件箱装", "ctn", "9"),
        _v("2000", "carton of 2,000", "2000件箱裝", "2000件箱装", "ctn", "17"),
    ),
    "bag_size": (
        _v("S", "small, carton of 500", "細碼（500個/箱）", "小号（500个/箱）", "ctn", "1"),
        _v("M", "medium, carton of 500", "中碼（500個/箱）", "中号（500个/箱）", "ctn", "1.3"),
        _v("L", "large, carton of 500", "大碼（500個/箱）", "大号（500个/箱）", "ctn", "1.7"),
    ),
    "roll": (
        _v("30", "30 cm × 300 m", "30厘米 × 300米", None, "roll", "1"),
        _v("45", "45 cm × 300 m", "45厘米 × 300米", None, "roll", "1.4"),
        _v("6X", "carton of 6 × 45 cm", "6卷箱裝（45厘米）", "6卷箱装（45厘米）", "ctn", "8"),
    ),
    "label": (
        _v("R", "roll of 500", "500張/卷", "500张/卷", "roll", "1"),
        _v("B10", "box of 10 rolls", "10卷盒裝", "10卷盒装", "box", "9"),
        _v("C50", "carton of 50 rolls", "50卷箱裝", "50卷箱装", "ctn", "42"),
    ),
    "size_pack": (
        _v("S", "small, pack of 50", "細碼（50個/包）", "小号（50个/包）", "pack", "1"),
        _v("M", "medium, pack of 50", "中碼（50個/包）", "中号（50个/包）", "pack", "1.3"),
        _v("L", "large, pack of 50", "大碼（50個/包）", "大号（50个/包）", "pack", "1.7"),
    ),
    "chem": (
        _v("1L", "1 L", "1公升", "1升", "bottle", "1"),
        _v("5L", "5 L", "5公升", "5升", "bottle", "4.2"),
        _v("20L", "20 L drum", "20公升桶裝", "20升桶装", "drum", "15"),
    ),
    "chem_small": (
        _v("500", "500 ml", "500毫升", None, "bottle", "1"),
        _v("1L", "1 L", "1公升", "1升", "bottle", "1.7"),
        _v("5L", "5 L refill", "5公升補充裝", "5升补充装", "bottle", "7"),
    ),
    "glove": (
        _v("S", "S, box of 100", "細碼（100隻/盒）", "小号（100只/盒）", "box", "1"),
        _v("M", "M, box of 100", "中碼（100隻/盒）", "中号（100只/盒）", "box", "1"),
        _v("L", "L, box of 100", "大碼（100隻/盒）", "大号（100只/盒）", "box", "1"),
    ),
    "case": (
        _v("6", "pack of 6", "6件裝", "6件装", "pack", "1"),
        _v("24", "case of 24", "24件箱裝", "24件箱装", "case", "3.8"),
        _v("48", "case of 48", "48件箱裝", "48件箱装", "case", "7.3"),
    ),
    "piece": (
        _v("1", "each", "單件", "单件", "pc", "1"),
        _v("6", "pack of 6", "6件裝", "6件装", "pack", "5.6"),
        _v("12", "pack of 12", "12件裝", "12件装", "pack", "10.5"),
    ),
    "gn": (
        _v("13", "GN 1/3", "GN 1/3", None, "pc", "1"),
        _v("12", "GN 1/2", "GN 1/2", None, "pc", "1.3"),
        _v("11", "GN 1/1", "GN 1/1", None, "pc", "1.9"),
    ),
    "cm": (
        _v("28", "28 cm", "28厘米", None, "pc", "1"),
        _v("36", "36 cm", "36厘米", None, "pc", "1.4"),
        _v("40", "40 cm", "40厘米", None, "pc", "1.7"),
    ),
    "litre": (
        _v("2L", "2 L", "2公升", "2升", "pc", "1"),
        _v("5L", "5 L", "5公升", "5升", "pc", "1.5"),
        _v("10L", "10 L", "10公升", "10升", "pc", "2.2"),
    ),
    "dozen": (
        _v("1", "each", "單件", "单件", "pc", "1"),
        _v("12", "dozen", "一打", None, "doz", "11"),
        _v("48", "carton of 48", "48件箱裝", "48件箱装", "ctn", "40"),
    ),
    "garment": (
        _v("S", "S", "細碼", "小号", "pc", "1"),
        _v("M", "M", "中碼", "中号", "pc", "1"),
        _v("L", "L", "大碼", "大号", "pc", "1.05"),
    ),
}

FAMILIES: tuple[Family, ...] = (
    Family(
        "food",
        t("Food Service Ingredients", "餐飲食材", "餐饮食材"),
        (
            t("Golden Wok", "金鑊", "金镬"),
            t("Harbour Select", "海港精選", "海港精选"),
            t("Lotus Pond", "荷塘"),
            t("Jade Dragon", "玉龍", "玉龙"),
            t("Pearl River", "珠江"),
            t("Sunrise Farm", "朝陽農場", "朝阳农场"),
        ),
        (
            t("Premium", "特級", "特级"),
            t("Classic", "經典", "经典"),
            t("Select", "精選", "精选"),
            t("Value", "實惠", "实惠"),
            t("Chef's", "大廚", "大厨"),
        ),
    ),
    Family(
        "packaging",
        t("Disposables & Packaging", "即棄餐具及包裝", "一次性餐具及包装"),
        (
            t("EcoWare", "綠器", "绿器"),
            t("PackPro", "包裝專家", "包装专家"),
            t("ClearCo", "晶透"),
            t("Bamboo Leaf", "竹葉", "竹叶"),
            t("Harbour Pack", "海港包裝", "海港包装"),
        ),
        (
            t("Eco", "環保", "环保"),
            t("Standard", "標準", "标准"),
            t("Premium", "優質", "优质"),
            t("Heavy-Duty", "加厚"),
            t("Recycled", "再造", "再生"),
        ),
    ),
    Family(
        "cleaning",
        t("Cleaning & Hygiene", "清潔及衞生用品", "清洁及卫生用品"),
        (
            t("ProClean", "專潔", "专洁"),
            t("SparkleMax", "亮潔", "亮洁"),
            t("PureGuard", "淨衛", "净卫"),
            t("Fresh Breeze", "清風", "清风"),
            t("Harbour Hygiene", "海港衞生", "海港卫生"),
        ),
        (
            t("Professional", "專業", "专业"),
            t("Eco", "環保", "环保"),
            t("Premium", "優質", "优质"),
            t("Value", "實惠", "实惠"),
            t("Commercial", "商用"),
        ),
    ),
    Family(
        "kitchen",
        t("Kitchen & Front of House", "廚房及樓面用品", "厨房及楼面用品"),
        (
            t("ChefMate", "廚伴", "厨伴"),
            t("SteelCraft", "鋼匠", "钢匠"),
            t("Harbour Kitchen", "海港廚具", "海港厨具"),
            t("TopCook", "頂廚", "顶厨"),
            t("Dragon Steel", "龍鋼", "龙钢"),
        ),
        (
            t("Professional", "專業", "专业"),
            t("Commercial", "商用"),
            t("Classic", "經典", "经典"),
            t("Hotel Series", "酒店系列"),
            t("Value", "實惠", "实惠"),
        ),
    ),
)

CATEGORIES: tuple[CategorySpec, ...] = (
    # Food service ingredients
    CategorySpec(
        "sauces",
        "SAU",
        "food",
        t("Sauces & Condiments", "醬料及調味品", "酱料及调味品"),
        "sauce",
        (18, 45),
        (
            t("Light Soy Sauce", "生抽"),
            t("Dark Soy Sauce", "老抽"),
            t("Oyster Sauce", "蠔油", "蚝油"),
            t("Chilli Sauce", "辣椒醬", "辣椒酱"),
            t("Rice Vinegar", "米醋"),
        ),
    ),
    CategorySpec(
        "cooking-oils",
        "OIL",
        "food",
        t("Cooking Oils", "食油", "食用油"),
        "oil",
        (30, 70),
        (
            t("Peanut Oil", "花生油"),
            t("Canola Oil", "芥花籽油"),
            t("Sesame Oil", "麻油"),
            t("Frying Oil", "炸油"),
            t("Sunflower Oil", "葵花籽油"),
        ),
    ),
    CategorySpec(
        "rice-grains",
        "RIC",
        "food",
        t("Rice & Grains", "米及穀物", "米及谷物"),
        "dry_bag",
        (12, 30),
        (
            t("Jasmine Rice", "茉莉香米"),
            t("Thai Fragrant Rice", "泰國香米", "泰国香米"),
            t("Japanese Short-Grain Rice", "日本珍珠米"),
            t("Glutinous Rice", "糯米"),
            t("Brown Rice", "糙米"),
        ),
    ),
    CategorySpec(
        "noodles",
        "NOO",
        "food",
        t("Noodles & Pasta", "麵食", "面食"),
        "dry_pack",
        (10, 25),
        (
            t("Egg Noodles", "蛋麵", "鸡蛋面"),
            t("Rice Vermicelli", "米粉"),
            t("Udon", "烏冬", "乌冬面"),
            t("Spaghetti", "意粉", "意大利面"),
            t("Flat Rice Noodles", "河粉"),
        ),
    ),
    CategorySpec(
        "flour-baking",
        "FLO",
        "food",
        t("Flour & Baking", "麵粉及烘焙材料", "面粉及烘焙材料"),
        "dry_bag",
        (8, 20),
        (
            t("Plain Flour", "中筋麵粉", "中筋面粉"),
            t("Bread Flour", "高筋麵粉", "高筋面粉"),
            t("Cake Flour", "低筋麵粉", "低筋面粉"),
            t("Corn Starch", "粟粉", "玉米淀粉"),
            t("Baking Powder", "泡打粉"),
        ),
    ),
    CategorySpec(
        "sugar",
        "SUG",
        "food",
        t("Sugar & Sweeteners", "糖及甜味劑", "糖及甜味剂"),
        "dry_bag",
        (9, 22),
        (
            t("White Sugar", "白砂糖"),
            t("Brown Sugar", "黃糖", "红糖"),
            t("Rock Sugar", "冰糖"),
            t("Icing Sugar", "糖霜"),
        ),
    ),
    CategorySpec(
        "spices",
        "SPI",
        "food",
        t("Spices & Seasonings", "香料及調味料", "香料及调味料"),
        "jar",
        (25, 80),
        (
            t("Black Pepper", "黑胡椒"),
            t("White Pepper", "白胡椒粉"),
            t("Five-Spice Powder", "五香粉"),
            t("Chicken Powder", "雞粉", "鸡粉"),
            t("Sea Salt", "海鹽", "海盐"),
        ),
    ),
    CategorySpec(
        "canned",
        "CAN",
        "food",
        t("Canned Goods", "罐頭食品", "罐头食品"),
        "can",
        (8, 25),
        (
            t("Sweet Corn", "粟米粒", "玉米粒"),
            t("Tomato Paste", "番茄膏"),
            t("Coconut Milk", "椰漿", "椰浆"),
            t("Straw Mushrooms", "草菇"),
            t("Luncheon Meat", "午餐肉"),
        ),
    ),
    CategorySpec(
        "frozen-meat",
        "FMT",
        "food",
        t("Frozen Meat", "急凍肉類", "冷冻肉类"),
        "frozen",
        (45, 120),
        (
            t("Chicken Wings", "雞中翼", "鸡中翅"),
            t("Pork Belly", "五花腩", "五花肉"),
            t("Beef Brisket", "牛腩"),
            t("Boneless Chicken Thigh", "去骨雞腿肉", "去骨鸡腿肉"),
            t("Lamb Rack", "羊架"),
        ),
        exportable=False,
    ),
    CategorySpec(
        "frozen-seafood",
        "FSF",
        "food",
        t("Frozen Seafood", "急凍海鮮", "冷冻海鲜"),
        "frozen",
        (70, 180),
        (
            t("Tiger Prawns", "老虎蝦", "老虎虾"),
            t("Squid Rings", "魷魚圈", "鱿鱼圈"),
            t("Basa Fillet", "巴沙魚柳", "巴沙鱼柳"),
            t("Scallops", "帶子", "扇贝"),
            t("Cod Fillet", "鱈魚柳", "鳕鱼柳"),
        ),
        exportable=False,
    ),
    CategorySpec(
        "frozen-dim-sum",
        "DIM",
        "food",
        t("Frozen Dim Sum", "急凍點心", "冷冻点心"),
        "dimsum",
        (35, 80),
        (
            t("Shrimp Dumplings", "蝦餃", "虾饺"),
            t("Siu Mai", "燒賣", "烧卖"),
            t("Char Siu Bao", "叉燒包", "叉烧包"),
            t("Spring Rolls", "春卷"),
            t("Custard Buns", "奶黃包", "奶黄包"),
        ),
        exportable=False,
    ),
    CategorySpec(
        "dairy",
        "DAI",
        "food",
        t("Dairy & Eggs", "奶類及蛋品", "奶类及蛋品"),
        "dairy",
        (25, 90),
        (
            t("Whipping Cream 1 L", "淡忌廉1公升", "淡奶油1升"),
            t("Evaporated Milk 410 g", "淡奶410克"),
            t("Salted Butter 1 kg", "有鹽牛油1公斤", "有盐黄油1公斤"),
            t("Mozzarella 2 kg", "莫札瑞拉芝士2公斤", "马苏里拉奶酪2公斤"),
            t("Liquid Whole Egg 1 kg", "全蛋液1公斤"),
        ),
        exportable=False,
    ),
    CategorySpec(
        "beverages",
        "BEV",
        "food",
        t("Tea, Coffee & Drinks", "茶、咖啡及飲品", "茶、咖啡及饮品"),
        "dry_pack",
        (40, 160),
        (
            t("Ceylon Black Tea", "錫蘭紅茶", "锡兰红茶"),
            t("Jasmine Tea", "香片", "茉莉花茶"),
            t("Espresso Coffee Beans", "意式咖啡豆"),
            t("Milk Tea Powder", "奶茶粉"),
            t("Oolong Tea", "烏龍茶", "乌龙茶"),
        ),
    ),
    CategorySpec(
        "syrups-toppings",
        "SYR",
        "food",
        t("Syrups & Toppings", "糖漿及配料", "糖浆及配料"),
        "syrup",
        (25, 60),
        (
            t("Brown Sugar Syrup", "黑糖漿", "黑糖浆"),
            t("Tapioca Pearls", "珍珠粉圓", "珍珠粉圆"),
            t("Condensed Milk", "煉奶", "炼乳"),
            t("Chocolate Sauce", "朱古力醬", "巧克力酱"),
            t("Fructose Syrup", "果糖"),
        ),
    ),
    CategorySpec(
        "dried-goods",
        "DRY",
        "food",
        t("Dried Goods", "海味乾貨", "干货"),
        "dry_small",
        (60, 300),
        (
            t("Dried Shiitake Mushrooms", "乾冬菇", "干香菇"),
            t("Dried Scallops", "瑤柱", "干贝"),
            t("Dried Shrimp", "蝦米", "虾米"),
            t("Wood Ear Fungus", "雲耳", "黑木耳"),
            t("Goji Berries", "杞子", "枸杞"),
        ),
    ),
    CategorySpec(
        "preserved",
        "PRE",
        "food",
        t("Pickles & Preserves", "醃製食品", "腌制食品"),
        "jar",
        (15, 40),
        (
            t("Preserved Mustard Greens", "梅菜"),
            t("Sichuan Pickle", "榨菜"),
            t("Kimchi", "韓式泡菜", "韩式泡菜"),
            t("Pickled Ginger", "酸薑", "酸姜"),
        ),
    ),
    # Disposables and packaging
    CategorySpec(
        "takeaway-containers",
        "TAK",
        "packaging",
        t("Takeaway Containers", "外賣餐盒", "外卖餐盒"),
        "container",
        (150, 420),
        (
            t("Clamshell Box", "翻蓋餐盒", "翻盖餐盒"),
            t("Round Container", "圓形餐盒", "圆形餐盒"),
            t("Rectangular Container", "長方形餐盒", "长方形餐盒"),
            t("Two-Compartment Box", "兩格餐盒", "两格餐盒"),
            t("Soup Bowl with Lid", "連蓋湯碗", "带盖汤碗"),
        ),
    ),
    CategorySpec(
        "cups-lids",
        "CUP",
        "packaging",
        t("Cups & Lids", "杯及杯蓋", "杯及杯盖"),
        "cup",
        (220, 600),
        (
            t("Paper Hot Cup", "熱飲紙杯", "热饮纸杯"),
            t("PET Cold Cup", "PET凍飲杯", "PET冷饮杯"),
            t("Double-Wall Cup", "雙層紙杯", "双层纸杯"),
            t("Sip Lid", "飲口杯蓋", "饮口杯盖"),
            t("Bubble Tea Cup", "珍珠奶茶杯"),
        ),
    ),
    CategorySpec(
        "cutlery",
        "CUT",
        "packaging",
        t("Disposable Cutlery", "即棄餐具", "一次性餐具"),
        "count",
        (12, 30),
        (
            t("Forks", "叉"),
            t("Spoons", "匙羹", "勺子"),
            t("Knives", "刀"),
            t("Chopsticks", "筷子"),
            t("Cutlery Kit", "餐具套裝", "餐具套装"),
        ),
    ),
    CategorySpec(
        "straws-stirrers",
        "STR",
        "packaging",
        t("Straws & Stirrers", "飲管及攪拌棒", "吸管及搅拌棒"),
        "count",
        (10, 35),
        (
            t("Paper Straws", "紙飲管", "纸吸管"),
            t("Bubble Tea Straws", "珍珠奶茶飲管", "珍珠奶茶吸管"),
            t("Wooden Stirrers", "木攪拌棒", "木搅拌棒"),
            t("Cocktail Picks", "雞尾酒籤", "鸡尾酒签"),
        ),
    ),
    CategorySpec(
        "carrier-bags",
        "BAG",
        "packaging",
        t("Carrier Bags", "購物袋", "购物袋"),
        "bag_size",
        (120, 380),
        (
            t("Kraft Paper Bag", "牛皮紙袋", "牛皮纸袋"),
            t("T-Shirt Bag", "背心膠袋", "背心袋"),
            t("Non-Woven Bag", "無紡布袋", "无纺布袋"),
            t("Takeaway Bag", "外賣袋", "外卖袋"),
        ),
    ),
    CategorySpec(
        "wraps-foil",
        "WRP",
        "packaging",
        t("Food Wrap & Foil", "保鮮紙及錫紙", "保鲜膜及锡纸"),
        "roll",
        (60, 180),
        (
            t("Cling Film", "保鮮紙", "保鲜膜"),
            t("Aluminium Foil", "錫紙", "锡纸"),
            t("Baking Paper", "牛油紙", "烘焙纸"),
            t("Greaseproof Paper", "防油紙", "防油纸"),
        ),
    ),
    CategorySpec(
        "foil-containers",
        "FOI",
        "packaging",
        t("Aluminium Containers", "鋁箔盒", "铝箔盒"),
        "container",
        (180, 450),
        (
            t("Foil Tray", "鋁箔盤", "铝箔盘"),
            t("Foil Container with Lid", "連蓋鋁箔盒", "带盖铝箔盒"),
            t("Foil Pie Dish", "鋁箔批盤", "铝箔派盘"),
        ),
    ),
    CategorySpec(
        "napkins",
        "NAP",
        "packaging",
        t("Napkins & Wipes", "餐巾及濕紙巾", "餐巾及湿纸巾"),
        "count",
        (8, 25),
        (
            t("Dinner Napkins", "餐巾"),
            t("Cocktail Napkins", "雞尾酒餐巾", "鸡尾酒餐巾"),
            t("Pocket Tissues", "紙手巾", "纸手帕"),
            t("Wet Wipes", "濕紙巾", "湿纸巾"),
        ),
    ),
    CategorySpec(
        "labels-seals",
        "LAB",
        "packaging",
        t("Labels & Seals", "標籤及封條", "标签及封条"),
        "label",
        (18, 45),
        (
            t("Tamper-Evident Seals", "防拆封貼", "防拆封贴"),
            t("Food Date Labels", "日期標籤", "日期标签"),
            t("Thermal Labels", "熱敏標籤", "热敏标签"),
        ),
    ),
    CategorySpec(
        "shipping-supplies",
        "SHP",
        "packaging",
        t("Shipping Supplies", "運輸包裝", "运输包装"),
        "size_pack",
        (40, 160),
        (
            t("Corrugated Carton", "坑紙箱", "瓦楞纸箱"),
            t("Packing Tape", "封箱膠紙", "封箱胶带"),
            t("Stretch Film", "拉伸膜", "缠绕膜"),
            t("Bubble Wrap", "氣泡膜", "气泡膜"),
        ),
    ),
    CategorySpec(
        "vacuum-bags",
        "VAC",
        "packaging",
        t("Vacuum & Sous-Vide Bags", "真空袋", "真空袋"),
        "size_pack",
        (35, 120),
        (
            t("Vacuum Pouch", "真空袋"),
            t("Embossed Vacuum Bag", "紋路真空袋", "纹路真空袋"),
            t("Boil-In Bag", "耐煮袋"),
        ),
    ),
    CategorySpec(
        "bakery-boxes",
        "BAK",
        "packaging",
        t("Bakery Boxes", "餅盒", "饼盒"),
        "size_pack",
        (60, 200),
        (
            t("Cake Box", "蛋糕盒"),
            t("Mooncake Box", "月餅盒", "月饼盒"),
            t("Pastry Box", "西餅盒", "西饼盒"),
            t("Window Box", "開窗盒", "开窗盒"),
        ),
    ),
    # Cleaning and hygiene
    CategorySpec(
        "dishwashing",
        "DSH",
        "cleaning",
        t("Dishwashing", "洗碗用品", "洗碗用品"),
        "chem",
        (20, 60),
        (
            t("Dishwashing Liquid", "洗潔精", "洗洁精"),
            t("Machine Dishwash Detergent", "洗碗機清潔劑", "洗碗机清洁剂"),
            t("Rinse Aid", "催乾劑", "催干剂"),
            t("Pot & Pan Degreaser", "除油劑", "除油剂"),
        ),
    ),
    CategorySpec(
        "surface-cleaners",
        "SUR",
        "cleaning",
        t("Surface Cleaners", "表面清潔劑", "表面清洁剂"),
        "chem",
        (20, 60),
        (
            t("All-Purpose Cleaner", "多用途清潔劑", "多用途清洁剂"),
            t("Glass Cleaner", "玻璃清潔劑", "玻璃清洁剂"),
            t("Stainless Steel Polish", "不銹鋼光亮劑", "不锈钢光亮剂"),
            t("Floor Cleaner", "地板清潔劑", "地板清洁剂"),
        ),
    ),
    CategorySpec(
        "disinfectants",
        "DIS",
        "cleaning",
        t("Disinfectants", "消毒用品"),
        "chem",
        (20, 60),
        (
            t("Bleach", "漂白水"),
            t("Quaternary Sanitiser", "季銨消毒劑", "季铵消毒剂"),
            t("Alcohol Spray", "酒精噴霧", "酒精喷雾"),
            t("Food-Contact Sanitiser", "食物接觸面消毒劑", "食品接触面消毒剂"),
        ),
    ),
    CategorySpec(
        "laundry",
        "LAU",
        "cleaning",
        t("Laundry", "洗衣用品"),
        "chem",
        (25, 70),
        (
            t("Laundry Powder", "洗衣粉"),
            t("Laundry Liquid", "洗衣液"),
            t("Fabric Softener", "柔順劑", "柔顺剂"),
            t("Stain Remover", "去漬劑", "去渍剂"),
        ),
    ),
    CategorySpec(
        "hand-hygiene",
        "HND",
        "cleaning",
        t("Hand Hygiene", "手部衞生", "手部卫生"),
        "chem_small",
        (15, 45),
        (
            t("Hand Soap", "洗手液"),
            t("Hand Sanitiser", "搓手液", "免洗洗手液"),
            t("Foam Hand Wash", "泡沫洗手液"),
        ),
    ),
    CategorySpec(
        "gloves",
        "GLV",
        "cleaning",
        t("Disposable Gloves", "即棄手套", "一次性手套"),
        "glove",
        (35, 80),
        (
            t("Nitrile Gloves", "丁腈手套"),
            t("Vinyl Gloves", "PVC手套"),
            t("Latex Gloves", "乳膠手套", "乳胶手套"),
            t("PE Gloves", "PE手套"),
        ),
    ),
    CategorySpec(
        "paper-towels",
        "PAP",
        "cleaning",
        t("Paper Towels & Toilet Tissue", "抹手紙及廁紙", "擦手纸及卫生纸"),
        "case",
        (40, 110),
        (
            t("Hand Towel", "抹手紙", "擦手纸"),
            t("Jumbo Toilet Roll", "大卷廁紙", "大卷卫生纸"),
            t("Kitchen Towel", "廚房紙", "厨房纸"),
            t("Facial Tissue", "盒裝紙巾", "盒装纸巾"),
        ),
    ),
    CategorySpec(
        "bin-liners",
        "BIN",
        "cleaning",
        t("Bin Liners", "垃圾袋"),
        "bag_size",
        (90, 260),
        (
            t("Black Garbage Bag", "黑色垃圾袋"),
            t("Clear Bin Liner", "透明垃圾袋"),
            t("Compostable Bin Bag", "可降解垃圾袋"),
            t("Drawstring Bin Bag", "索繩垃圾袋", "抽绳垃圾袋"),
        ),
    ),
    CategorySpec(
        "mops-brushes",
        "MOP",
        "cleaning",
        t("Mops & Brushes", "地拖及刷具", "拖把及刷具"),
        "piece",
        (25, 120),
        (
            t("Flat Mop", "平板地拖", "平板拖把"),
            t("Mop Head", "地拖頭", "拖把头"),
            t("Scrubbing Brush", "擦洗刷"),
            t("Squeegee", "玻璃刮"),
            t("Dustpan Set", "垃圾鏟套裝", "簸箕套装"),
        ),
    ),
    CategorySpec(
        "sponges-cloths",
        "SPO",
        "cleaning",
        t("Sponges & Cloths", "百潔布及抹布", "百洁布及抹布"),
        "count",
        (15, 50),
        (
            t("Scouring Pads", "百潔布", "百洁布"),
            t("Microfibre Cloths", "超細纖維布", "超细纤维布"),
            t("Steel Wool", "鋼絲球", "钢丝球"),
            t("Sponge Scourers", "海綿百潔擦", "海绵百洁擦"),
        ),
    ),
    CategorySpec(
        "air-pest",
        "AIR",
        "cleaning",
        t("Air Care & Pest Control", "空氣清新及防蟲", "空气清新及防虫"),
        "piece",
        (20, 90),
        (
            t("Air Freshener", "空氣清新劑", "空气清新剂"),
            t("Urinal Screen", "尿兜除臭網", "小便池除臭网"),
            t("Cockroach Gel", "曱甴藥", "蟑螂药"),
            t("Fly Glue Board", "黐蠅板", "粘蝇板"),
        ),
    ),
    # Kitchen and front of house
    CategorySpec(
        "gastronorm",
        "GNP",
        "kitchen",
        t("Gastronorm Pans", "不銹鋼份數盆", "不锈钢份数盆"),
        "gn",
        (90, 320),
        (
            t("Steel Pan", "不銹鋼盆", "不锈钢盆"),
            t("Perforated Pan", "穿孔盆", "漏盆"),
            t("Pan Lid", "盆蓋", "盆盖"),
        ),
    ),
    CategorySpec(
        "cookware",
        "CKW",
        "kitchen",
        t("Cookware", "煮食用具", "烹饪锅具"),
        "cm",
        (120, 650),
        (
            t("Wok", "鑊", "炒锅"),
            t("Stock Pot", "湯桶", "汤桶"),
            t("Frying Pan", "煎鍋", "煎锅"),
            t("Saucepan", "汁鍋", "汁锅"),
        ),
    ),
    CategorySpec(
        "knives-boards",
        "KNI",
        "kitchen",
        t("Knives & Cutting Boards", "刀具及砧板"),
        "piece",
        (60, 480),
        (
            t("Chef's Knife", "廚師刀", "厨师刀"),
            t("Chinese Cleaver", "菜刀"),
            t("Cutting Board", "砧板"),
            t("Paring Knife", "水果刀"),
        ),
    ),
    CategorySpec(
        "utensils",
        "UTN",
        "kitchen",
        t("Kitchen Utensils", "廚房用具", "厨房用具"),
        "piece",
        (15, 90),
        (
            t("Ladle", "湯殼", "汤勺"),
            t("Tongs", "食物夾", "食物夹"),
            t("Wok Spatula", "鑊鏟", "锅铲"),
            t("Whisk", "打蛋器"),
            t("Strainer", "隔篩", "滤网"),
        ),
    ),
    CategorySpec(
        "food-storage",
        "STO",
        "kitchen",
        t("Food Storage", "食物儲存", "食物储存"),
        "litre",
        (35, 160),
        (
            t("Food Storage Box", "保鮮盒", "保鲜盒"),
            t("Ingredient Bin", "配料桶"),
            t("Dough Box", "麵團盒", "面团盒"),
        ),
    ),
    CategorySpec(
        "tableware",
        "TBL",
        "kitchen",
        t("Tableware", "餐具"),
        "dozen",
        (8, 35),
        (
            t("Melamine Bowl", "密胺碗"),
            t("Porcelain Plate", "瓷碟", "瓷盘"),
            t("Soup Spoon", "湯匙", "汤匙"),
            t("Rice Bowl", "飯碗", "饭碗"),
            t("Tea Cup", "茶杯"),
        ),
    ),
    CategorySpec(
        "glassware",
        "GLS",
        "kitchen",
        t("Glassware", "玻璃器皿"),
        "dozen",
        (12, 60),
        (
            t("Tumbler", "平底杯"),
            t("Wine Glass", "紅酒杯", "红酒杯"),
            t("Beer Mug", "啤酒杯"),
            t("Water Jug", "水壺", "水壶"),
        ),
    ),
    CategorySpec(
        "uniforms",
        "UNI",
        "kitchen",
        t("Uniforms & Aprons", "制服及圍裙", "制服及围裙"),
        "garment",
        (45, 220),
        (
            t("Chef Jacket", "廚師服", "厨师服"),
            t("Bib Apron", "圍裙", "围裙"),
            t("Chef Hat", "廚師帽", "厨师帽"),
            t("Waiter Vest", "侍應背心", "服务员马甲"),
        ),
    ),
    CategorySpec(
        "safety",
        "SAF",
        "kitchen",
        t("Safety & First Aid", "安全及急救用品"),
        "piece",
        (60, 400),
        (
            t("First Aid Kit", "急救箱"),
            t("Burn Gel", "燒傷啫喱", "烧伤凝胶"),
            t("Wet Floor Sign", "小心地滑牌"),
            t("Fire Blanket", "滅火氈", "灭火毯"),
        ),
    ),
)
