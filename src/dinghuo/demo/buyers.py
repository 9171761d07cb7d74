"""The demo's buyer companies: restaurants, hotels, caterers and shops in four cities."""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User

from dinghuo.core.models import Tenant
from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.pricing.models import PriceList


class Region(NamedTuple):
    city: str
    country: str
    streets: tuple[tuple[str, str, str], ...]  # street, district, postal code
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]
    price_lists: tuple[str, ...]  # the lists its companies buy on
    subdivision: str = ""  # ISO 3166-2 region, where tax may differ by region


class CompanySpec(NamedTuple):
    code: str
    name: str
    kind: str  # restaurant, hotel, caterer, retailer
    region: str
    domain: str


REGIONS: dict[str, Region] = {
    "HK": Region(
        "Hong Kong",
        "HK",
        (
            ("Hennessy Road", "Wan Chai", ""),
            ("Queen's Road Central", "Central", ""),
            ("Nathan Road", "Tsim Sha Tsui", ""),
            ("Argyle Street", "Mong Kok", ""),
            ("Hoi Bun Road", "Kwun Tong", ""),
            ("Wang Chiu Road", "Kowloon Bay", ""),
            ("Po Tung Road", "Sai Kung", ""),
            ("King's Road", "North Point", ""),
            ("Castle Peak Road", "Tsuen Wan", ""),
            ("Sha Tin Centre Street", "Sha Tin", ""),
            ("Kwai Fung Crescent", "Kwai Chung", ""),
            ("Wong Nai Chung Road", "Happy Valley", ""),
        ),
        (
            "Karen",
            "Tommy",
            "Winnie",
            "Kelvin",
            "Mandy",
            "Eric",
            "Ivy",
            "Raymond",
            "Cindy",
            "Alan",
            "Phoebe",
            "Jason",
            "Gigi",
            "Ken",
            "Queenie",
            "Wing",
        ),
        (
            "Chan",
            "Lau",
            "Wong",
            "Cheung",
            "Leung",
            "Ho",
            "Ng",
            "Tsang",
            "Yip",
            "Kwok",
            "Lam",
            "Tang",
        ),
        ("retail-hkd", "wholesale-hkd"),
    ),
    "SZ": Region(
        "Shenzhen",
        "CN",
        (
            ("Shennan Avenue", "Futian", "518000"),
            ("Nanhai Avenue", "Nanshan", "518052"),
            ("Wanghai Road", "Shekou", "518069"),
            ("Renmin South Road", "Luohu", "518001"),
            ("Qianhai Road", "Qianhai", "518066"),
            ("Bao'an Avenue", "Bao'an", "518101"),
            ("Yantian Road", "Yantian", "518081"),
        ),
        ("Wei", "Na", "Jie", "Fang", "Lei", "Min", "Jun", "Xiuying", "Hao", "Yan"),
        ("Zhang", "Li", "Wang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Zhou", "Wu"),
        ("wholesale-hkd", "retail-hkd"),
        "GD",  # Guangdong
    ),
    "TPE": Region(
        "Taipei",
        "TW",
        (
            ("Songren Road", "Xinyi District", "110"),
            ("Da'an Road", "Da'an District", "106"),
            ("Zhongshan North Road", "Zhongshan District", "104"),
            ("Wenlin Road", "Shilin District", "111"),
            ("Nanjing East Road", "Songshan District", "105"),
        ),
        ("Yu-ting", "Chia-hao", "Shu-fen", "Wei-lun", "Hsin-yi", "Po-han", "Mei-ling"),
        ("Lin", "Chen", "Huang", "Chang", "Lee", "Wu", "Tsai", "Liu"),
        ("export-usd",),
    ),
    "SG": Region(
        "Singapore",
        "SG",
        (
            ("Bayfront Avenue", "Marina Bay", "018971"),
            ("Orchard Road", "Orchard", "238859"),
            ("Pagoda Street", "Chinatown", "059222"),
            ("Tanjong Pagar Road", "Tanjong Pagar", "088456"),
            ("Changi South Lane", "Changi", "486123"),
            ("Jurong Port Road", "Jurong", "619094"),
        ),
        ("Wei Ling", "Daniel", "Marcus", "Hui Min", "Jasmine", "Kelvin", "Shirley"),
        ("Tan", "Lim", "Goh", "Ong", "Teo", "Koh", "Chua"),
        ("export-usd",),
    ),
}

COMPANIES: tuple[CompanySpec, ...] = (
    CompanySpec(
        "JADEGARDEN", "Jade Garden Restaurant Group 翠園飲食集團", "restaurant", "HK", "jadegarden"
    ),
    CompanySpec(
        "LUCKYSTAR", "Lucky Star Cha Chaan Teng 福星茶餐廳", "restaurant", "HK", "luckystar-hk"
    ),
    CompanySpec(
        "VICHARBOUR", "Victoria Harbour Hotel 維港酒店", "hotel", "HK", "victoriaharbourhotel"
    ),
    CompanySpec(
        "PEAKVIEW", "Peak View Serviced Apartments 山景服務式住宅", "hotel", "HK", "peakview"
    ),
    CompanySpec(
        "GOLDBAUHIN", "Golden Bauhinia Catering 金紫荊到會", "caterer", "HK", "goldenbauhinia"
    ),
    CompanySpec(
        "KBCANTEEN", "Kowloon Bay Canteen Services 九龍灣飯堂服務", "caterer", "HK", "kbcanteen"
    ),
    CompanySpec(
        "SKSEAFOOD", "Sai Kung Seafood House 西貢海鮮酒家", "restaurant", "HK", "saikungseafood"
    ),
    CompanySpec("MKNOODLE", "Mong Kok Noodle Bar 旺角麵家", "restaurant", "HK", "mknoodle"),
    CompanySpec("HSBAKERY", "Harbourside Bakery 海濱餅店", "retailer", "HK", "harbourside-bakery"),
    CompanySpec("HVMART", "Happy Valley Mart 跑馬地超市", "retailer", "HK", "hvmart"),
    CompanySpec("TSTBISTRO", "Tsim Sha Tsui Bistro 尖沙咀小館", "restaurant", "HK", "tstbistro"),
    CompanySpec(
        "CENTRALROA", "Central Coffee Roasters 中環咖啡烘焙", "retailer", "HK", "centralroasters"
    ),
    CompanySpec(
        "ISLANDMEAL", "Island Healthcare Kitchens 港島醫護膳食", "caterer", "HK", "islandmeals"
    ),
    CompanySpec("NSBAYHOTEL", "Nanshan Bay Hotel 南山湾酒店", "hotel", "SZ", "nanshanbayhotel"),
    CompanySpec("FTDIMSUM", "Futian Dim Sum Palace 福田点心皇", "restaurant", "SZ", "futiandimsum"),
    CompanySpec("SKGRILL", "Shekou Seaside Grill 蛇口海边烧烤", "restaurant", "SZ", "shekougrill"),
    CompanySpec(
        "PCCATERING",
        "Pengcheng Catering Services 鹏城餐饮服务",
        "caterer",
        "SZ",
        "pengcheng-catering",
    ),
    CompanySpec("LHFRESH", "Luohu Fresh Mart 罗湖鲜选超市", "retailer", "SZ", "luohufresh"),
    CompanySpec("QHBIZHOTEL", "Qianhai Business Hotel 前海商务酒店", "hotel", "SZ", "qianhaihotel"),
    CompanySpec(
        "BAOANLOUNG",
        "Bao'an Airport Lounge Catering 宝安机场贵宾餐饮",
        "caterer",
        "SZ",
        "baoanlounge",
    ),
    CompanySpec("XYHOTPOT", "Xinyi Hotpot House 信義火鍋", "restaurant", "TPE", "xinyihotpot"),
    CompanySpec("DAANTEA", "Da'an Tea Company 大安茶行", "retailer", "TPE", "daantea"),
    CompanySpec("ZSGRAND", "Zhongshan Grand Hotel 中山大飯店", "hotel", "TPE", "zhongshangrand"),
    CompanySpec(
        "FORMOSABQ", "Formosa Banquet Catering 福爾摩沙宴會外燴", "caterer", "TPE", "formosabanquet"
    ),
    CompanySpec(
        "SHILINSNK", "Shilin Night Market Snacks 士林夜市小吃", "restaurant", "TPE", "shilinsnacks"
    ),
    CompanySpec("MBSUITES", "Marina Bay Suites Hotel", "hotel", "SG", "marinabaysuites"),
    CompanySpec("LIONCATER", "Lion City Catering Pte Ltd", "caterer", "SG", "lioncitycatering"),
    CompanySpec("CTROAST", "Chinatown Roast House", "restaurant", "SG", "chinatownroast"),
    CompanySpec("ORCHGROCER", "Orchard Gourmet Grocer", "retailer", "SG", "orchardgrocer"),
    CompanySpec("TPKOPITIAM", "Tanjong Pagar Kopitiam", "restaurant", "SG", "tpkopitiam"),
)

# Where each kind of buyer receives goods; "{district}" is filled from the address.
SHIP_TO_NAMES: dict[str, tuple[str, ...]] = {
    "restaurant": ("{district} branch", "Central kitchen", "{district} outlet"),
    "hotel": ("Receiving dock", "Banquet kitchen", "Housekeeping store"),
    "caterer": ("Production kitchen", "{district} depot", "Event store"),
    "retailer": ("{district} shop", "Warehouse", "Back store"),
}
FLOORS = ("G/F", "1/F", "3/F", "12/F", "Shop 5, G/F", "Unit 8, 2/F", "Loading bay B")

# Which catalogue families each kind of buyer mostly orders from (repeats weigh more).
KIND_FAMILIES: dict[str, tuple[str, ...]] = {
    "restaurant": ("food", "food", "food", "packaging", "cleaning", "kitchen"),
    "hotel": ("cleaning", "cleaning", "kitchen", "kitchen", "food", "packaging"),
    "caterer": ("food", "food", "packaging", "packaging", "kitchen", "cleaning"),
    "retailer": ("packaging", "packaging", "food", "food", "cleaning"),
}
# A company's first user administers it; a second buys, a third approves.
ROLES: tuple[str, ...] = (
    CompanyUser.Role.ADMIN,
    CompanyUser.Role.BUYER,
    CompanyUser.Role.APPROVER,
)


@dataclass
class Buyer:
    """A company as the order history needs it: its list, where it ships, what it buys."""

    company: Company
    spec: CompanySpec
    price_list_code: str
    currency: str
    country: str
    ship_to_ids: list[int]
    families: tuple[str, ...]
    users: list[CompanyUser]


def _address(rng: random.Random, region: Region) -> tuple[str, str, str, str]:
    street, district, postal = rng.choice(region.streets)
    line1 = f"{rng.randint(1, 288)} {street}"
    return line1, f"{rng.choice(FLOORS)}, {district}", district, postal


def _location(
    tenant: Tenant, company: Company, region: Region, kind: str, name: str, rng: random.Random
) -> Location:
    line1, line2, district, postal = _address(rng, region)
    return Location(
        tenant=tenant,
        company=company,
        kind=kind,
        name=name.format(district=district),
        line1=line1,
        line2=line2,
        city=region.city,
        postal_code=postal,
        country=region.country,
        region=region.subdivision,
    )


def _people(region: Region, rng: random.Random) -> Iterator[tuple[str, str]]:
    """Every given × family name of the region, shuffled, so no two contacts share a name."""
    names = [(g, f) for g in region.given_names for f in region.family_names]
    rng.shuffle(names)
    return iter(names)


def _sign_ins(
    spec: CompanySpec, people: Iterator[tuple[str, str]], password_hash: str, rng: random.Random
) -> list[tuple[User, str]]:
    """1–3 people of one company, each with a role, who sign in with the shared hash."""
    found: list[tuple[User, str]] = []
    for role in ROLES[: rng.randint(1, 3)]:
        given, family = next(people)
        local = f"{given}.{family}".lower().replace(" ", "").replace("-", "")
        email = f"{local}@{spec.domain}.example"
        user = User(
            username=email,
            email=email,
            first_name=given,
            last_name=family,
            password=password_hash,
        )
        found.append((user, role))
    return found


def _addresses(
    tenant: Tenant, company: Company, spec: CompanySpec, rng: random.Random
) -> list[Location]:
    """A bill-to and 1–3 ship-tos of one company."""
    region = REGIONS[spec.region]
    # The seeded draws stay in their order (bill-to first), so a seed gives the same demo.
    bill_to = _location(tenant, company, region, Location.Kind.BILL_TO, "Accounts payable", rng)
    names = rng.sample(SHIP_TO_NAMES[spec.kind], rng.randint(1, 3))
    return [
        bill_to,
        *(_location(tenant, company, region, Location.Kind.SHIP_TO, n, rng) for n in names),
    ]


def create_buyers(
    *, tenant: Tenant, price_lists: dict[str, PriceList], password: str, rng: random.Random
) -> list[Buyer]:
    """Companies with a bill-to, 1–3 ship-tos and 1–3 users who all sign in with `password`.

    The password is hashed once and the hash shared: hashing per user is 0.2 s each, which
    would be most of the load time.
    """
    password_hash = make_password(password)
    people = {code: _people(region, rng) for code, region in REGIONS.items()}
    companies = Company.objects.bulk_create(
        [
            Company(
                tenant=tenant,
                code=spec.code,
                name=spec.name,
                price_list=price_lists[rng.choice(REGIONS[spec.region].price_lists)],
            )
            for spec in COMPANIES
        ]
    )
    locations: list[Location] = []
    sign_ins: list[tuple[Company, User, str]] = []
    for spec, company in zip(COMPANIES, companies, strict=True):
        locations += _addresses(tenant, company, spec, rng)
        people_of = _sign_ins(spec, people[spec.region], password_hash, rng)
        sign_ins += [(company, user, role) for user, role in people_of]
    Location.objects.bulk_create(locations)
    User.objects.bulk_create([user for _, user, _ in sign_ins])
    company_users = CompanyUser.objects.bulk_create(
        [
            CompanyUser(tenant=tenant, company=company, user=user, role=role)
            for company, user, role in sign_ins
        ]
    )
    return [
        Buyer(
            company=company,
            spec=spec,
            price_list_code=company.price_list.code,
            currency=company.price_list.currency,
            country=REGIONS[spec.region].country,
            ship_to_ids=[
                loc.pk
                for loc in locations
                if loc.company is company and loc.kind == Location.Kind.SHIP_TO
            ],
            families=KIND_FAMILIES[spec.kind],
            users=[cu for cu in company_users if cu.company is company],
        )
        for spec, company in zip(COMPANIES, companies, strict=True)
    ]
