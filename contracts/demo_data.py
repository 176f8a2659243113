"""The demo sales record of ``manage.py seed_demo``: the catalogue, the contracts and two years of orders.

Like :mod:`customers.demo_data` this module holds tables and a pure builder only; it never touches the
database. :func:`build_sales` turns the tables into one :class:`SalesPlan` per customer, each drawn from its
own random stream seeded with the customer's short name, so the same customer always gets the same contracts
and orders and adding a row changes no other customer. Orders are drawn as "days before ``today``", so the
demo always looks current and the trailing twelve months always hold the same sales.

The volumes are set so that the ABC analysis of the trailing twelve months (``ARCHIVE_ABC_SHARES``: A up to
80 % of sales, B up to 95 %) gives the ten grade-A customers of :data:`customers.demo_data.COMPANIES` grade A
and five of the eight grade-B ones grade B; the three smallest fall to C: a hardware wholesaler that buys
little, and two key customers who stopped ordering five to seven months ago (the churn warning's cases).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from customers.demo_data import SEED

from .models import OrderLine

# ---- The catalogue ----------------------------------------------------------------------------------------


class ProductRow(NamedTuple):
    code: str
    name: str
    specification: str
    unit: str
    category: str
    list_price: Decimal


def _p(code, name, specification, unit, category, price) -> ProductRow:
    return ProductRow(code, name, specification, unit, category, Decimal(price))


# What our company (a maker of pumps, valves, motors and drives, see customers.demo_data) sells.
PRODUCTS = (
    _p("BJ-IS80-160", "IS 系列单级离心泵", "IS80-65-160，50 m³/h，扬程 32 m，7.5 kW", "台", "离心泵", "4680.00"),
    _p("BJ-IS100-200", "IS 系列单级离心泵", "IS100-80-200，100 m³/h，扬程 50 m，22 kW", "台", "离心泵", "9850.00"),
    _p("BJ-IS150-315", "IS 系列单级离心泵", "IS150-125-315，200 m³/h，扬程 32 m，30 kW", "台", "离心泵", "16800.00"),
    _p(
        "BJ-RS200-400",
        "卧式热水循环泵",
        "RS200-150-400，400 m³/h，扬程 50 m，75 kW，耐温 120 ℃",
        "台",
        "离心泵",
        "48600.00",
    ),
    _p("BJ-CDL4-10", "立式多级泵", "CDL4-10，4 m³/h，扬程 62 m，1.5 kW，304 不锈钢", "台", "多级泵", "5960.00"),
    _p("BJ-CDL16-8", "立式多级泵", "CDL16-8，16 m³/h，扬程 94 m，7.5 kW，304 不锈钢", "台", "多级泵", "14200.00"),
    _p("BJ-GDF65-125", "不锈钢管道泵", "GDF65-125，25 m³/h，扬程 20 m，3 kW", "台", "管道泵", "3980.00"),
    _p("BJ-ISG65-125", "ISG 立式管道泵（铸铁）", "ISG65-125，25 m³/h，扬程 20 m，3 kW", "台", "管道泵", "3200.00"),
    _p("BJ-WQ50-20", "潜水排污泵", "50WQ15-20-2.2，15 m³/h，扬程 20 m，2.2 kW", "台", "排污泵", "2350.00"),
    _p("BJ-WQ150-15", "潜水排污泵", "150WQ150-15-11，150 m³/h，扬程 15 m，11 kW", "台", "排污泵", "8900.00"),
    _p("BJ-IHF65-160", "衬氟耐腐蚀化工泵", "IHF65-50-160，25 m³/h，扬程 32 m，5.5 kW", "台", "化工泵", "11600.00"),
    _p("BJ-XBD8-30", "消防泵组", "XBD8.0/30G-L，30 L/s，0.8 MPa，一用一备，含控制柜", "套", "消防泵组", "68000.00"),
    _p(
        "BJ-BTG3-120",
        "变频恒压供水设备",
        "三用一备，120 m³/h，0.6 MPa，不锈钢管路，含控制柜",
        "套",
        "供水设备",
        "125000.00",
    ),
    _p("FM-D971-150", "电动蝶阀", "D971X-16Q，DN150，PN16，球铁阀体", "台", "阀门", "2860.00"),
    _p("FM-D971-300", "电动蝶阀", "D971X-16Q，DN300，PN16，球铁阀体", "台", "阀门", "6480.00"),
    _p("FM-Z41-100", "法兰闸阀", "Z41H-16C，DN100，PN16，铸钢", "台", "阀门", "1450.00"),
    _p("FM-J41-50", "法兰截止阀", "J41H-25，DN50，PN25，铸钢", "台", "阀门", "980.00"),
    _p("FM-H44-200", "旋启式止回阀", "H44H-16C，DN200，PN16", "台", "阀门", "2100.00"),
    _p("DJ-YE3-132M", "YE3 高效三相异步电机", "YE3-132M-4，7.5 kW，380 V，B3", "台", "电机", "3150.00"),
    _p("DJ-YE3-180L", "YE3 高效三相异步电机", "YE3-180L-4，22 kW，380 V，B3", "台", "电机", "7980.00"),
    _p("DJ-YE3-250M", "YE3 高效三相异步电机", "YE3-250M-4，55 kW，380 V，B3", "台", "电机", "18600.00"),
    _p("DJ-YB3-160M", "YB3 隔爆型三相异步电机", "YB3-160M-4，11 kW，Ex db IIB T4", "台", "电机", "6850.00"),
    _p("BP-7R5", "通用变频器", "7.5 kW，三相 380 V，矢量控制", "台", "变频器", "2680.00"),
    _p("BP-55", "通用变频器", "55 kW，三相 380 V，矢量控制，含制动单元", "台", "变频器", "11800.00"),
    _p("PJ-JXMF-45", "集装式机械密封", "轴径 45 mm，碳化硅/碳化硅，氟橡胶", "套", "配件", "380.00"),
    _p("PJ-ZC-6308", "深沟球轴承", "6308-2RS，10 件/箱", "箱", "配件", "760.00"),
    _p("PJ-QT-FL", "球墨铸铁法兰管件", "DN100–DN300 混装，PN16，按重量计价", "吨", "配件", "9800.00"),
    _p("FW-AZ", "泵房设备安装调试", "现场安装、单机试车及联动调试", "项", "服务", "15000.00"),
)
PRODUCT_PRICES = {p.code: p.list_price for p in PRODUCTS}
PRODUCT_UNITS = {p.code: p.unit for p in PRODUCTS}
PRODUCT_SPECS = {p.code: p.specification for p in PRODUCTS}

# The cast-iron pipeline pump gave way to the stainless one: it appears on old orders only and is then taken
# off sale, so the catalogue shows a product that old orders keep.
DISCONTINUED = "BJ-ISG65-125"
REPLACED_BY = "BJ-GDF65-125"
DISCONTINUED_AFTER_DAYS = 400  # orders older than this still got the cast-iron pump

# What each kind of customer buys: product code -> weight.
MIXES = {
    "dealer": {
        "BJ-IS80-160": 5,
        "BJ-IS100-200": 3,
        "BJ-CDL4-10": 4,
        "BJ-CDL16-8": 2,
        "BJ-GDF65-125": 4,
        "BJ-WQ50-20": 4,
        "BJ-WQ150-15": 2,
        "FM-D971-150": 3,
        "FM-Z41-100": 3,
        "FM-J41-50": 2,
        "DJ-YE3-132M": 3,
        "DJ-YE3-180L": 2,
        "BP-7R5": 2,
        "PJ-JXMF-45": 2,
        "PJ-ZC-6308": 2,
    },
    "valves": {
        "FM-D971-150": 5,
        "FM-D971-300": 3,
        "FM-Z41-100": 5,
        "FM-J41-50": 4,
        "FM-H44-200": 3,
        "BJ-GDF65-125": 2,
        "BJ-IS80-160": 1,
    },
    "building": {
        "BJ-BTG3-120": 2,
        "BJ-XBD8-30": 1,
        "BJ-CDL4-10": 4,
        "BJ-CDL16-8": 3,
        "BJ-GDF65-125": 4,
        "FM-D971-150": 3,
        "BP-7R5": 3,
    },
    "heating": {
        "BJ-RS200-400": 3,
        "BJ-IS150-315": 4,
        "BJ-IS100-200": 3,
        "FM-D971-300": 3,
        "FM-H44-200": 3,
        "BP-55": 2,
        "DJ-YE3-250M": 2,
        "PJ-JXMF-45": 2,
        "PJ-ZC-6308": 1,
    },
    "machinery": {
        "DJ-YE3-132M": 5,
        "DJ-YE3-180L": 4,
        "DJ-YE3-250M": 3,
        "BP-7R5": 3,
        "BP-55": 2,
        "BJ-IS80-160": 2,
        "PJ-ZC-6308": 2,
    },
    "factory": {
        "BJ-CDL4-10": 4,
        "BJ-CDL16-8": 3,
        "BJ-GDF65-125": 4,
        "BJ-IS80-160": 3,
        "BJ-WQ50-20": 2,
        "BP-7R5": 3,
        "FM-D971-150": 2,
        "PJ-JXMF-45": 2,
    },
    "chemical": {
        "BJ-IHF65-160": 6,
        "DJ-YB3-160M": 4,
        "FM-J41-50": 3,
        "FM-Z41-100": 2,
        "PJ-JXMF-45": 3,
    },
    "mining": {
        "DJ-YB3-160M": 4,
        "DJ-YE3-250M": 3,
        "BJ-WQ150-15": 4,
        "BP-55": 2,
        "PJ-ZC-6308": 2,
    },
    "water": {
        "BJ-IS150-315": 4,
        "BJ-IS100-200": 3,
        "FM-D971-300": 4,
        "FM-Z41-100": 3,
        "FM-H44-200": 3,
        "PJ-QT-FL": 2,
        "BJ-WQ150-15": 2,
    },
    "municipal": {
        "BJ-WQ150-15": 5,
        "BJ-WQ50-20": 3,
        "PJ-QT-FL": 3,
        "FM-Z41-100": 3,
        "FM-H44-200": 2,
        "FM-D971-300": 2,
    },
    "automation": {
        "BP-7R5": 5,
        "BP-55": 3,
        "DJ-YE3-132M": 4,
        "DJ-YE3-180L": 3,
    },
    "hardware": {
        "BJ-WQ50-20": 5,
        "BJ-GDF65-125": 4,
        "BJ-IS80-160": 2,
        "FM-J41-50": 4,
        "FM-Z41-100": 3,
        "PJ-ZC-6308": 3,
        "PJ-JXMF-45": 3,
    },
}

# Relative weight of each month for ordinary buyers (the Spring Festival and National Day weeks are quiet,
# December closes the year) and for buyers whose season is fixed: heat before the heating season,
# water before the summer peak.
SEASONS = {
    "normal": (0.9, 0.5, 1.1, 1.1, 1.0, 1.0, 0.9, 0.9, 1.1, 0.8, 1.1, 1.3),
    "heating": (0.3, 0.2, 0.5, 0.7, 1.0, 1.6, 1.7, 1.7, 1.4, 0.9, 0.5, 0.4),
    "water": (0.6, 0.4, 1.3, 1.5, 1.5, 1.3, 1.0, 0.9, 0.9, 0.8, 0.8, 0.9),
}


# ---- The customers' buying ---------------------------------------------------------------------------------


class Buyer(NamedTuple):
    """How one filed customer buys.

    ``target`` is the trailing twelve months' filed sales in 万元, ``growth`` this year's sales over last
    year's; ``per_year`` the number of orders a year; ``pay_days`` how long the customer takes to pay;
    ``reference`` the style of the customer's own order numbers ("po", "cg" or none); ``stop_days``, when not
    zero, how many days ago the customer placed its last order; ``agreement`` the title of its yearly
    agreement, if it signs one, and ``ended`` the note on this year's agreement if it was ended early.
    """

    short: str
    mix: str
    target: int
    growth: float
    per_year: int
    pay_days: int
    reference: str = ""
    season: str = "normal"
    stop_days: int = 0
    agreement: str = ""
    ended: str = ""
    dealer: bool = False


DEALER_AGREEMENT = "{year} 年度经销协议"
SUPPLY_AGREEMENT = "{year} 年度供货框架协议"
GROUP_AGREEMENT = "{year} 年度集团采购框架协议"

BUYERS = (
    Buyer("穗丰泵阀", "dealer", 560, 1.18, 40, 60, "po", agreement=DEALER_AGREEMENT, dealer=True),
    Buyer("蜀道机电", "dealer", 495, 1.10, 36, 45, "po", agreement=DEALER_AGREEMENT, dealer=True),
    Buyer("宏达五金", "dealer", 450, 1.05, 44, 30, "po", agreement=DEALER_AGREEMENT, dealer=True),
    Buyer("恒通阀门", "valves", 400, 1.12, 34, 45, "po", agreement=DEALER_AGREEMENT, dealer=True),
    Buyer("泉城热力", "heating", 360, 1.08, 20, 90, "cg", season="heating"),
    Buyer("申菱机电", "machinery", 320, 1.02, 26, 60, "cg", agreement=SUPPLY_AGREEMENT),
    Buyer("滨海重工", "machinery", 300, 0.96, 20, 90, "cg", agreement=SUPPLY_AGREEMENT),
    Buyer("华美厨卫", "factory", 270, 1.15, 26, 60, "po", agreement=SUPPLY_AGREEMENT),
    Buyer("德胜精密", "factory", 255, 1.20, 22, 45, "po", agreement=SUPPLY_AGREEMENT),
    Buyer("华信楼宇", "building", 235, 1.06, 20, 60, "po", agreement=DEALER_AGREEMENT, dealer=True),
    Buyer("两江矿机", "mining", 140, 1.00, 14, 90, "cg", agreement=GROUP_AGREEMENT),
    Buyer("宁江化工", "chemical", 135, 1.25, 12, 90, "cg"),
    Buyer("邕江供水", "water", 132, 0.95, 10, 120, "cg", season="water"),
    Buyer("春城水务", "water", 128, 1.05, 10, 120, "cg", season="water"),
    Buyer("京城市政", "municipal", 125, 0.90, 10, 150, "cg"),
    # Stopped ordering when its group moved to central purchasing; its agreement was ended early.
    Buyer(
        "汾河热电",
        "heating",
        68,
        0.36,
        10,
        90,
        "cg",
        season="heating",
        stop_days=200,
        agreement=SUPPLY_AGREEMENT,
        ended="客户改为集团集中采购，经双方协商一致于 {date} 提前解除本协议；已发货部分按协议价结算。",
    ),
    # A strategic agent (graded A by hand) whose orders stopped five months ago: the churn warning shows it.
    Buyer("科联达", "automation", 52, 0.55, 12, 45, "po", stop_days=150, agreement=DEALER_AGREEMENT, dealer=True),
    # Pays before delivery; its agreement grants a rebate on a yearly volume it never reaches.
    Buyer("长江五金", "hardware", 36, 0.90, 8, 0, agreement=DEALER_AGREEMENT),
)


# ---- Contracts ---------------------------------------------------------------------------------------------


class ContractRow(NamedTuple):
    """A contract beside the yearly agreements: a project, signed ``signed_ago`` days ago, running ``days``.

    ``amount`` is in 万元, or 0 for a contract priced from its delivery list (what was delivered, 5 % off list);
    ``lines`` the products (code, quantity) the whole project delivers over ``deliveries`` orders, of which a
    contract still in force has delivered 60 % and a terminated one 40 %. ``status`` is how far its filing got
    ("filed", "pending", "returned" with ``comment``, "draft"); ``terminated`` is the note of a contract the
    two sides ended early.
    """

    short: str
    title: str
    signed_ago: int
    days: int
    amount: int
    lines: tuple[tuple[str, int], ...] = ()
    deliveries: int = 2
    status: str = "filed"
    comment: str = ""
    terminated: str = ""
    with_file: bool = False


PROJECTS = (
    ContractRow(
        "申菱机电",
        "二号厂房冷却水系统改造泵组采购合同",
        200,
        90,
        0,
        (("BJ-CDL16-8", 12), ("BP-7R5", 12), ("FM-D971-150", 24)),
    ),
    ContractRow(
        "宁江化工",
        "反应釜生产线配套化工泵采购合同",
        420,
        120,
        0,
        (("BJ-IHF65-160", 24), ("DJ-YB3-160M", 24), ("PJ-JXMF-45", 48)),
        deliveries=3,
    ),
    ContractRow(
        "宁江化工",
        "2 万吨反应釜扩产项目耐腐蚀化工泵采购合同",
        25,
        240,
        78,
        status="returned",
        comment="合同签字页缺少客户公章，付款条款与报价单不一致（应为 3-6-1 分期），请上传盖章扫描件并核对后重新提交。",
    ),
    ContractRow(
        "德胜精密", "冷却水循环系统泵阀更换合同", 300, 60, 0, (("BJ-CDL4-10", 16), ("FM-D971-150", 20)), deliveries=1
    ),
    ContractRow(
        "泉城热力",
        "热源厂循环泵节能改造合同",
        500,
        120,
        0,
        (("BJ-RS200-400", 6), ("BP-55", 6), ("PJ-JXMF-45", 12)),
    ),
    ContractRow(
        "泉城热力",
        "供热管网改造项目循环泵及阀门采购合同",
        160,
        145,
        0,
        (("BJ-IS150-315", 10), ("FM-D971-300", 24), ("FM-H44-200", 16)),
    ),
    ContractRow("华信楼宇", "万象城商业综合体给水泵房设备供货合同", 3, 180, 46, status="draft"),
    ContractRow(
        "滨海重工",
        "新厂区动力站电机及变频器采购合同",
        260,
        150,
        0,
        (("DJ-YE3-250M", 14), ("BP-55", 14), ("DJ-YE3-180L", 20)),
        deliveries=3,
    ),
    ContractRow("穗丰泵阀", "番禺污水处理厂提标改造项目潜污泵供货合同", 12, 120, 64, status="pending"),
    ContractRow("两江矿机", "矿井排水泵组及隔爆电机采购合同", 8, 180, 52, status="pending"),
    ContractRow(
        "邕江供水",
        "三坝水厂扩建工程水泵及阀门采购合同",
        380,
        240,
        0,
        (("BJ-IS150-315", 8), ("FM-D971-300", 16), ("FM-H44-200", 8), ("PJ-QT-FL", 6)),
    ),
    ContractRow("邕江供水", "管网加压泵站变频供水设备采购合同", 10, 150, 58, status="pending"),
    ContractRow(
        "春城水务",
        "第七水厂二期送水泵房设备采购合同",
        330,
        365,
        96,
        (("BJ-IS150-315", 24), ("FM-D971-300", 40), ("FM-Z41-100", 60), ("BJ-BTG3-120", 2)),
    ),
    ContractRow(
        "春城水务",
        "老旧管网改造工程阀门采购合同",
        20,
        200,
        38,
        status="returned",
        comment="合同金额与中标通知书不一致（中标价 36.8 万元），请与客户核对后重新提交。",
    ),
    ContractRow(
        "京城市政",
        "亦庄道路雨污水管网工程排污泵采购合同",
        600,
        180,
        0,
        (("BJ-WQ150-15", 10), ("BJ-WQ50-20", 16), ("PJ-QT-FL", 4)),
    ),
    ContractRow(
        "京城市政",
        "通州排水泵站改造工程设备采购合同",
        450,
        400,
        150,
        (("BJ-WQ150-15", 80), ("BJ-XBD8-30", 6), ("FM-Z41-100", 120), ("FM-H44-200", 100)),
        deliveries=1,
        terminated="泵站改造项目因规划调整暂停实施，经双方协商一致解除合同；已交付设备已验收结算，未交付部分不再执行。",
    ),
    ContractRow(
        "京城市政",
        "城市副中心排水泵站设备采购合同",
        150,
        240,
        110,
        (("BJ-WQ150-15", 70), ("BJ-XBD8-30", 3), ("FM-D971-300", 30), ("FW-AZ", 6)),
    ),
)
# Contracts of customers whose cards are not filed yet: the manager records them, they wait as drafts.
PROSPECT_CONTRACTS = (
    ContractRow("嘉成建设", "滨江花园二期给水泵房设备采购合同", 6, 120, 42, status="draft"),
    ContractRow("天府制药", "GMP 车间纯化水系统泵阀采购合同", 15, 90, 26, status="draft"),
)
# A filed contract whose execution ended; its keeper asks to mark it completed (a waiting change request).
CONTRACT_CHANGE = ("泉城热力", "供热管网改造项目循环泵及阀门采购合同")
CONTRACT_CHANGE_NOTE = "合同设备已全部到货并验收，质保金已约定另行支付，申请将执行状态改为已完成。"
# Contracts that come with the signed document scanned as a PDF: (short, title).
CONTRACT_FILES = {("泉城热力", "热源厂循环泵节能改造合同"), ("穗丰泵阀", DEALER_AGREEMENT)}
AGREEMENT_NOTE = "年度框架协议，协议价执行，具体以订单为准。"
CONTRACT_NUMBER = "HT-{year}-{seq:04d}"
CONTRACTS_PER_DAY = 0.45

# ---- Orders that are not (yet) filed --------------------------------------------------------------------

# The customer's latest order waits: short -> what became of it.
LATEST_ORDER = {
    "宏达五金": ("draft", ""),
    "蜀道机电": ("pending", ""),
    "泉城热力": ("pending", ""),
    "滨海重工": ("pending", ""),
    "申菱机电": ("pending", ""),
    "恒通阀门": (
        "returned",
        "折扣 10% 超出经销协议约定（最高 8%），且未附折价审批单，请核对单价或补办折价审批后重新提交。",
    ),
    "穗丰泵阀": ("returned", "交货期与客户采购单不一致（采购单要求 15 天内到货），请与客户确认后重新提交。"),
}
# Draft orders of customers whose cards are not filed: short -> ((product code, quantity), …).
PROSPECT_ORDERS = {
    "嘉成建设": (("BJ-BTG3-120", 1), ("BJ-XBD8-30", 1)),
    "天府制药": (("BJ-CDL4-10", 6), ("FM-J41-50", 12)),
}
ORDER_SUBMIT_NOTE = "客户采购单已确认，申请入档"
CONTRACT_SUBMIT_NOTE = "合同已双方签字盖章，申请入档"
# The filed order whose settlement its keeper asks to correct (a waiting change request): short, days ago.
ORDER_CHANGE = ("德胜精密", 40)
ORDER_CHANGE_NOTE = "客户已付清余款，银行回单已与财务核对，申请将结算状态改为已结清。"
ORDER_NOTES = (
    "分两批发货",
    "客户自提",
    "加急，要求一周内到货",
    "随货提供合格证及检测报告",
    "送货至客户工地，提前一天电话联系",
)

# Windows of the two years, in days before today: a gap around the year's edge keeps every order clearly in
# one of the two trailing years, whichever way a month is counted.
THIS_YEAR = (1, 358)
LAST_YEAR = (369, 729)


# ---- The plan ---------------------------------------------------------------------------------------------


@dataclass
class LinePlan:
    product: str  # product code
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    specification: str

    @property
    def amount(self) -> Decimal:
        return OrderLine.line_amount(self.quantity, self.unit_price, self.discount)


@dataclass
class OrderPlan:
    ordered_on: datetime.date
    lines: list[LinePlan]
    reference: str = ""
    settlement: str = "unsettled"
    contract: str = ""  # the number of the contract it runs under (its title until numbers are given)
    note: str = ""
    status: str = "filed"  # "filed", "pending", "returned" (with ``comment``) or "draft"
    comment: str = ""
    change: dict | None = None  # a change its keeper proposes once it is filed
    co_owner: bool = False  # entered by the co-manager rather than the owner

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass
class ContractPlan:
    number: str
    title: str
    signed_on: datetime.date
    starts_on: datetime.date
    ends_on: datetime.date | None
    amount: Decimal
    state: str
    note: str = ""
    status: str = "filed"
    comment: str = ""
    with_file: bool = False
    change: dict | None = None

    @property
    def data(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "signed_on": self.signed_on,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "amount": self.amount,
            "state": self.state,
            "note": self.note,
        }


@dataclass
class SalesPlan:
    """Everything ``seed_demo`` records for one customer: contracts and orders, in date order."""

    short: str
    requires_filed: bool  # filed entries need a filed card
    contracts: list[ContractPlan] = field(default_factory=list)
    orders: list[OrderPlan] = field(default_factory=list)


def build_sales(today: datetime.date) -> list[SalesPlan]:
    """One plan per buyer and per prospect with a draft, the same for the same ``today``."""
    plans = [_buyer_plan(buyer, today) for buyer in BUYERS]
    for short in dict.fromkeys([*(c.short for c in PROSPECT_CONTRACTS), *PROSPECT_ORDERS]):
        plans.append(_prospect_plan(short, today))
    _number_contracts(plans, today)
    numbers = [c.number for p in plans for c in p.contracts]
    assert len(numbers) == len(set(numbers)), "demo contract numbers must be unique"
    assert all(1 <= len(o.lines) <= 4 for p in plans for o in p.orders), "an order has one to four lines"
    shorts = [b.short for b in BUYERS]
    named = [*(c.short for c in PROJECTS), *LATEST_ORDER, CONTRACT_CHANGE[0], ORDER_CHANGE[0]]
    assert set(named) <= set(shorts), f"unknown buyers: {sorted(set(named) - set(shorts))}"
    return plans


def _days_ago(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def _wan(amount: float) -> Decimal:
    return Decimal(round(amount * 10_000)).quantize(Decimal("0.01"))


def _workday(day: datetime.date) -> datetime.date:
    """Orders are placed on working days: a weekend date moves back to the Friday."""
    return day - datetime.timedelta(days=max(0, day.weekday() - 4))


def _draw_days(rng: random.Random, today: datetime.date, window: tuple[int, int], count: int, season: str):
    """``count`` days in ``window`` (days before today), weighted by the month's season, newest first."""
    weights = SEASONS[season]
    days = []
    while len(days) < count:
        ago = rng.randint(*window)
        if rng.random() * 1.7 < weights[_days_ago(today, ago).month - 1]:
            day = _workday(_days_ago(today, ago))
            if window[0] <= (today - day).days <= window[1]:
                days.append((today - day).days)
    return sorted(days)


def _product_for(code: str, ago: int) -> str:
    return DISCONTINUED if code == REPLACED_BY and ago > DISCONTINUED_AFTER_DAYS else code


def _quantity(code: str, value: float) -> Decimal:
    if PRODUCT_UNITS[code] == "吨":
        return Decimal(max(1, round(value * 2))) / 2
    return Decimal(max(1, round(value)))


def _discount(rng: random.Random, buyer: Buyer) -> Decimal:
    if rng.random() < (0.3 if buyer.dealer else 0.08):
        return Decimal(rng.choice((5, 5, 8, 8, 10)))
    return Decimal(0)


def _lines(rng: random.Random, buyer: Buyer, budget: float, ago: int) -> list[LinePlan]:
    """One to four lines of the buyer's usual products at list price, worth about ``budget`` yuan in all."""
    mix = MIXES[buyer.mix]
    count = rng.choices((1, 2, 3, 4), weights=(2, 4, 3, 2) if buyer.dealer else (5, 4, 2, 1))[0]
    lines: list[LinePlan] = []
    left = budget
    for index in range(count):
        share = left if index == count - 1 else left / (count - index) * rng.uniform(0.6, 1.4)
        taken = {line.product for line in lines}
        affordable = [c for c in mix if c not in taken and PRODUCT_PRICES[c] <= share * 1.2]
        if not affordable:
            if lines:
                break
            affordable = [min(mix, key=lambda c: PRODUCT_PRICES[c])]
        product = _product_for(rng.choices(affordable, weights=[mix[c] for c in affordable])[0], ago)
        discount = _discount(rng, buyer)
        net = float(PRODUCT_PRICES[product]) * (100 - float(discount)) / 100
        line = LinePlan(
            product=product,
            quantity=_quantity(product, share / net),
            unit_price=PRODUCT_PRICES[product],
            discount=discount,
            specification=PRODUCT_SPECS[product],
        )
        lines.append(line)
        left -= float(line.amount)
    return lines


def _settlement(rng: random.Random, buyer: Buyer, ago: int) -> str:
    """Older orders are paid, recent ones open or part-paid, slow payers lagging behind their terms."""
    if buyer.pay_days == 0:
        return "settled"  # cash before delivery
    if ago > buyer.pay_days + 90:
        return "settled" if rng.random() < (0.97 if buyer.pay_days < 120 else 0.9) else "partial"
    if ago > buyer.pay_days:
        return rng.choices(("settled", "partial", "unsettled"), weights=(6, 3, 1))[0]
    if ago > 20:
        return rng.choices(("unsettled", "partial", "settled"), weights=(5, 3, 1))[0]
    return "unsettled"


def _reference(rng: random.Random, buyer: Buyer, day: datetime.date, seq: int) -> str:
    if buyer.reference == "po" and rng.random() < 0.85:
        return f"PO{day:%Y%m%d}-{rng.randint(1, 9):02d}"
    if buyer.reference == "cg":
        return f"CG-{day.year}-{seq:04d}"
    return ""


def _year_term(year: int, signed_day: int) -> tuple[datetime.date, datetime.date, datetime.date]:
    """A yearly agreement: signed in the December before, in force for the calendar year."""
    return _workday(datetime.date(year - 1, 12, signed_day)), datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _buyer_plan(buyer: Buyer, today: datetime.date) -> SalesPlan:
    rng = random.Random(f"{SEED}:sales:{buyer.short}")
    plan = SalesPlan(short=buyer.short, requires_filed=True)
    stop = max(buyer.stop_days, THIS_YEAR[0])
    targets = {THIS_YEAR: buyer.target, LAST_YEAR: buyer.target / buyer.growth}
    windows = {THIS_YEAR: (stop, THIS_YEAR[1]), LAST_YEAR: LAST_YEAR}

    # Projects first: their deliveries count towards the year's sales, ordinary orders fill the rest.
    project_orders: list[tuple[int, OrderPlan]] = []
    for row in (r for r in PROJECTS if r.short == buyer.short):
        contract, orders = _project(rng, buyer, row, today, stop)
        plan.contracts.append(contract)
        project_orders += orders
    for ago, order in project_orders:
        window = THIS_YEAR if ago <= THIS_YEAR[1] else LAST_YEAR
        targets[window] -= float(order.total) / 10_000

    agreements = _agreements(rng, buyer, today)
    plan.contracts += agreements

    orders = list(project_orders)
    for window, target in targets.items():
        assert target > 0.2 * buyer.target / buyer.growth, f"{buyer.short}: projects exceed the year's sales"
        low, high = windows[window]
        span = (high - low + 1) / 365
        days = _draw_days(rng, today, (low, high), max(2, round(buyer.per_year * span)), buyer.season)
        weights = [rng.lognormvariate(0, 0.45) for _ in days]
        budget_left, weight_left = target * 10_000, sum(weights)
        for ago, weight in zip(days, weights, strict=True):
            # Each order takes its share of what is left, so rounding to whole units never adds up.
            budget = max(budget_left * weight / weight_left, 800.0)
            weight_left -= weight
            lines = _lines(rng, buyer, budget, ago)
            order = OrderPlan(ordered_on=_days_ago(today, ago), lines=lines)
            budget_left -= float(order.total)
            orders.append((ago, order))

    orders.sort(key=lambda pair: (-pair[0], pair[1].reference))
    seq_by_year: dict[int, int] = {}
    for ago, order in orders:
        day = order.ordered_on
        seq_by_year[day.year] = seq_by_year.get(day.year, rng.randint(3, 40)) + rng.randint(1, 5)
        order.reference = order.reference or _reference(rng, buyer, day, seq_by_year[day.year])
        order.settlement = _settlement(rng, buyer, ago)
        if rng.random() < 0.12:
            order.note = rng.choice(ORDER_NOTES)
        if not order.contract:
            live = [
                c
                for c in agreements
                if c.status == "filed" and c.starts_on <= day <= (c.ends_on or today) and c.signed_on <= day
            ]
            if live and rng.random() < 0.75:
                order.contract = live[0].title
        order.co_owner = rng.random() < 0.3
        plan.orders.append(order)

    if buyer.short in LATEST_ORDER:
        status, comment = LATEST_ORDER[buyer.short]
        latest = plan.orders[-1]
        latest.status, latest.comment, latest.settlement = status, comment, "unsettled"
        if status == "returned" and "折扣" in comment:
            latest.lines[0].discount = Decimal(10)
    if buyer.short == ORDER_CHANGE[0]:
        candidates = [o for o in plan.orders if o.status == "filed" and (today - o.ordered_on).days >= ORDER_CHANGE[1]]
        order = min(candidates, key=lambda o: (today - o.ordered_on).days)
        order.settlement = "partial"
        order.change = {"settlement": "settled"}
    return plan


def _agreements(rng: random.Random, buyer: Buyer, today: datetime.date) -> list[ContractPlan]:
    """Last year's and this year's agreement, for a buyer that signs them."""
    if not buyer.agreement:
        return []
    contracts = []
    # A customer that stopped ordering had signed for what it used to buy.
    expected = buyer.target / buyer.growth if buyer.stop_days else buyer.target
    for years_back, volume in ((1, buyer.target / buyer.growth), (0, expected)):
        year = today.year - years_back
        signed_on, starts_on, ends_on = _year_term(year, rng.randint(8, 26))
        state, note = ("completed" if ends_on < today else "in_force"), AGREEMENT_NOTE
        if buyer.ended:
            # The agreement running when the customer stopped is ended early; no later one is signed.
            ended = _workday(_days_ago(today, buyer.stop_days - 10))
            if ended < starts_on:
                continue
            if ended < ends_on:
                ends_on, state = ended, "terminated"
                note = buyer.ended.format(date=f"{ended.year} 年 {ended.month} 月 {ended.day} 日")
        title = buyer.agreement.format(year=year)
        contracts.append(
            ContractPlan(
                number="",
                title=title,
                signed_on=signed_on,
                starts_on=starts_on,
                ends_on=ends_on,
                # The volume both sides expect, rounded up to a hundred thousand yuan.
                amount=_wan(-(-volume * 1.1 // 10) * 10),
                state=state,
                note=note,
                with_file=(buyer.short, buyer.agreement) in CONTRACT_FILES and years_back == 1,
            )
        )
    return contracts


def _project(rng: random.Random, buyer: Buyer, row: ContractRow, today: datetime.date, stop: int):
    """A project contract and the orders delivering it (none while the contract is not filed)."""
    signed_on = _workday(_days_ago(today, row.signed_ago))
    starts_on = signed_on + datetime.timedelta(days=rng.randint(0, 7))
    ends_on = starts_on + datetime.timedelta(days=row.days)
    state, note = ("completed" if ends_on < today else "in_force"), ""
    if row.terminated:
        state, note = "terminated", row.terminated
    if (buyer.short, row.title) == CONTRACT_CHANGE:
        state = "in_force"  # ended on paper; the change request catches up with it
    contract = ContractPlan(
        number="",
        title=row.title,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        amount=_wan(row.amount),
        state=state,
        note=note,
        status=row.status,
        comment=row.comment,
        with_file=(buyer.short, row.title) in CONTRACT_FILES,
        change={"state": "completed"} if (buyer.short, row.title) == CONTRACT_CHANGE else None,
    )
    orders: list[tuple[int, OrderPlan]] = []
    if row.status != "filed" or not row.lines:
        return contract, orders
    # Deliveries spread over the term, never after the customer's last order or inside the year's edge.
    first = (today - starts_on).days - 5
    last = max((today - min(ends_on, today)).days + 3, stop)
    delivered = Decimal(1) if state != "terminated" and ends_on < today else Decimal("0.6")
    if state == "terminated":
        delivered = Decimal("0.4")
        last = max(last, first - 120)
    for n in range(row.deliveries):
        ago = first - (first - last) * (n + 1) // (row.deliveries + 1)
        ago = (today - _workday(_days_ago(today, ago))).days
        if THIS_YEAR[1] < ago < LAST_YEAR[0]:
            ago = LAST_YEAR[0] + 1
        lines = []
        for code, quantity in row.lines:
            part = Decimal(quantity) * delivered / row.deliveries
            lines.append(
                LinePlan(
                    product=code,
                    quantity=_quantity(code, float(part)),
                    unit_price=PRODUCT_PRICES[code],
                    discount=Decimal(5) if row.amount == 0 else Decimal(0),
                    specification=PRODUCT_SPECS[code],
                )
            )
        orders.append((ago, OrderPlan(ordered_on=_days_ago(today, ago), lines=lines, contract=contract.title)))
    if not row.amount:
        # A project priced from its delivery list: the contract is worth what was delivered.
        contract.amount = sum((order.total for _, order in orders), Decimal("0.00"))
    return contract, orders


def _prospect_plan(short: str, today: datetime.date) -> SalesPlan:
    """A customer not filed yet: what its manager has recorded as drafts."""
    rng = random.Random(f"{SEED}:sales:{short}")
    plan = SalesPlan(short=short, requires_filed=False)
    for row in (r for r in PROSPECT_CONTRACTS if r.short == short):
        signed_on = _workday(_days_ago(today, row.signed_ago))
        plan.contracts.append(
            ContractPlan(
                number="",
                title=row.title,
                signed_on=signed_on,
                starts_on=signed_on,
                ends_on=signed_on + datetime.timedelta(days=row.days),
                amount=_wan(row.amount),
                state="in_force",
                status="draft",
            )
        )
    if short in PROSPECT_ORDERS:
        day = _workday(_days_ago(today, rng.randint(2, 6)))
        lines = [
            LinePlan(code, Decimal(quantity), PRODUCT_PRICES[code], Decimal(0), PRODUCT_SPECS[code])
            for code, quantity in PROSPECT_ORDERS[short]
        ]
        plan.orders.append(OrderPlan(ordered_on=day, lines=lines, status="draft"))
    return plan


def _number_contracts(plans: list[SalesPlan], today: datetime.date) -> None:
    """Contract numbers in signing order across the demo, with the gaps other customers' contracts leave.

    The company signs about :data:`CONTRACTS_PER_DAY` contracts a day with all its customers, so a number
    says roughly when in its year a contract was signed.
    """
    rng = random.Random(f"{SEED}:contract-numbers")
    contracts = sorted((c for p in plans for c in p.contracts), key=lambda c: (c.signed_on, c.title))
    seq: dict[int, int] = {}
    for contract in contracts:
        day = contract.signed_on
        about = round(day.timetuple().tm_yday * CONTRACTS_PER_DAY) + rng.randint(0, 3)
        seq[day.year] = max(seq.get(day.year, 0) + 1, about)
        contract.number = CONTRACT_NUMBER.format(year=day.year, seq=seq[day.year])
    for plan in plans:
        by_title = {c.title: c.number for c in plan.contracts}
        for order in plan.orders:
            if order.contract in by_title:
                order.contract = by_title[order.contract]
