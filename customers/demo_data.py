"""The demo archive of ``manage.py seed_demo``: who works here, which customers they keep, and what happened.

This module holds tables and a pure builder only; it never touches the database. :func:`build_customers`
turns the tables into one :class:`CustomerPlan` per customer, each drawn from its own random stream seeded
with the customer's name, so the same customer always gets the same credit code, people and history, and
adding a row to the table changes no other customer. Dates are drawn as "days before ``today``" so the
demo always looks current.

The story the data tells: a maker of industrial pumps, valves, motors and drives (泵阀电机) sells through
dealers and directly to factories, utilities and public bodies in four regions; two account managers keep
the customers, a sales director approves and grades, a clerk of the East region reads that region's cards.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from archive import roles

from .validators import CREDIT_CODE_ALPHABET, credit_code_check_character

SEED = "customer-archive-demo-2026"
PASSWORD = "demo-pass-2026"


# ---- Our side -------------------------------------------------------------------------------------------


class DemoUser(NamedTuple):
    username: str
    # Chinese names are written whole into first_name: get_full_name() joins "first last", which would
    # otherwise read 名 姓 with a space.
    full_name: str
    role: str | None
    is_superuser: bool = False


USERS = (
    DemoUser("director", "周建国", roles.SALES_DIRECTOR),
    DemoUser("archivist", "林晓燕", roles.ARCHIVIST),
    DemoUser("manager1", "王海涛", roles.ACCOUNT_MANAGER),
    DemoUser("manager2", "陈思远", roles.ACCOUNT_MANAGER),
    DemoUser("clerk", "张敏", roles.CLERK),
    DemoUser("admin", "赵立新", None, is_superuser=True),
)

# The clerk reads the East region through this group (not one of the four role groups).
REGION_CLERK_GROUP = "华东区内勤"
REGION_CLERK_GROUP_REGION = "east"
REGION_CLERK = "clerk"

REGIONS = (
    ("east", "华东区", 10),
    ("north", "华北区", 20),
    ("south", "华南区", 30),
    ("southwest", "西南区", 40),
)


# ---- Geography ------------------------------------------------------------------------------------------


class District(NamedTuple):
    name: str
    division_code: str  # GB/T 2260 code, the 3rd–8th characters of a credit code registered there
    postcode: str
    roads: tuple[str, ...]


class City(NamedTuple):
    province: str  # empty for the municipalities, whose city name is the province
    region: str
    phone_prefix: str
    route: str
    districts: tuple[District, ...]


CITIES = {
    "上海": City(
        "",
        "east",
        "021",
        "路线一",
        (
            District("浦东新区", "310115", "201203", ("张江路", "金科路", "川沙路")),
            District("闵行区", "310112", "201108", ("春东路", "剑川路", "都会路")),
            District("嘉定区", "310114", "201800", ("博乐路", "叶城路")),
            District("普陀区", "310107", "200333", ("真北路", "武宁路")),
        ),
    ),
    "杭州": City(
        "浙江省",
        "east",
        "0571",
        "路线二",
        (
            District("滨江区", "330108", "310051", ("江南大道", "滨安路")),
            District("余杭区", "330110", "311100", ("文一西路", "临平大道")),
            District("萧山区", "330109", "311200", ("市心北路", "金城路")),
        ),
    ),
    "宁波": City(
        "浙江省",
        "east",
        "0574",
        "路线二",
        (
            District("鄞州区", "330212", "315100", ("天童南路", "四明中路")),
            District("北仑区", "330206", "315800", ("明州路", "新大路")),
        ),
    ),
    "南京": City(
        "江苏省",
        "east",
        "025",
        "路线三",
        (
            District("江宁区", "320115", "211100", ("天元中路", "胜太路")),
            District("鼓楼区", "320106", "210009", ("中山北路", "汉中门大街")),
        ),
    ),
    "苏州": City(
        "江苏省",
        "east",
        "0512",
        "路线三",
        (
            District("吴中区", "320506", "215100", ("东吴北路", "宝带西路")),
            District("工业园区", "320571", "215021", ("星湖街", "苏虹中路")),
        ),
    ),
    "合肥": City(
        "安徽省",
        "east",
        "0551",
        "路线四",
        (
            District("蜀山区", "340104", "230031", ("长江西路", "黄山路")),
            District("包河区", "340111", "230051", ("徽州大道", "马鞍山路")),
        ),
    ),
    "济南": City(
        "山东省",
        "east",
        "0531",
        "路线四",
        (
            District("历下区", "370102", "250014", ("经十路", "解放路")),
            District("历城区", "370112", "250100", ("工业北路", "山大路")),
        ),
    ),
    "北京": City(
        "",
        "north",
        "010",
        "路线一",
        (
            District("朝阳区", "110105", "100020", ("建国路", "酒仙桥路")),
            District("海淀区", "110108", "100085", ("上地十街", "中关村大街")),
            District("大兴区", "110115", "100176", ("科创十四街", "兴华大街")),
        ),
    ),
    "天津": City(
        "",
        "north",
        "022",
        "路线二",
        (
            District("滨海新区", "120116", "300457", ("第三大街", "黄海路")),
            District("南开区", "120104", "300100", ("鞍山西道", "红旗南路")),
        ),
    ),
    "石家庄": City(
        "河北省",
        "north",
        "0311",
        "路线三",
        (
            District("长安区", "130102", "050011", ("中山东路", "建设北大街")),
            District("裕华区", "130108", "050031", ("槐安东路", "体育南大街")),
        ),
    ),
    "太原": City(
        "山西省", "north", "0351", "路线三", (District("小店区", "140105", "030006", ("长治路", "南内环街")),)
    ),
    "呼和浩特": City(
        "内蒙古自治区", "north", "0471", "路线四", (District("赛罕区", "150105", "010020", ("大学东街", "昭乌达路")),)
    ),
    "广州": City(
        "广东省",
        "south",
        "020",
        "路线一",
        (
            District("天河区", "440106", "510620", ("天河北路", "黄埔大道西")),
            District("番禺区", "440113", "511400", ("迎宾路", "市桥北路")),
            District("白云区", "440111", "510405", ("机场路", "广园中路")),
        ),
    ),
    "深圳": City(
        "广东省",
        "south",
        "0755",
        "路线二",
        (
            District("南山区", "440305", "518057", ("深南大道", "科技南路")),
            District("宝安区", "440306", "518101", ("宝安大道", "新安六路")),
            District("龙岗区", "440307", "518172", ("龙岗大道", "龙城大道")),
        ),
    ),
    "东莞": City(
        "广东省",
        "south",
        "0769",
        "路线二",
        (
            District("长安镇", "441900", "523850", ("振安路", "长青路")),
            District("虎门镇", "441900", "523900", ("连升路", "太沙路")),
        ),
    ),
    "佛山": City(
        "广东省",
        "south",
        "0757",
        "路线三",
        (
            District("顺德区", "440606", "528300", ("新城路", "德和路")),
            District("南海区", "440605", "528200", ("南海大道", "桂澜路")),
        ),
    ),
    "南宁": City(
        "广西壮族自治区", "south", "0771", "路线四", (District("青秀区", "450103", "530022", ("民族大道", "竹溪大道")),)
    ),
    "海口": City(
        "海南省", "south", "0898", "路线四", (District("龙华区", "460106", "570105", ("滨海大道", "金龙路")),)
    ),
    "成都": City(
        "四川省",
        "southwest",
        "028",
        "路线一",
        (
            District("武侯区", "510107", "610041", ("人民南路", "科华北路")),
            District("龙泉驿区", "510112", "610100", ("驿都大道", "龙都南路")),
            District("新都区", "510114", "610500", ("新都大道", "蜀龙大道")),
        ),
    ),
    "重庆": City(
        "",
        "southwest",
        "023",
        "路线二",
        (
            District("渝北区", "500112", "401120", ("金开大道", "新牌坊路")),
            District("九龙坡区", "500107", "400050", ("杨家坪正街", "科园一路")),
        ),
    ),
    "昆明": City(
        "云南省", "southwest", "0871", "路线三", (District("官渡区", "530111", "650200", ("关上中路", "民航路")),)
    ),
    "贵阳": City(
        "贵州省",
        "southwest",
        "0851",
        "路线三",
        (
            District("南明区", "520102", "550001", ("市南路", "宝山南路")),
            District("观山湖区", "520115", "550081", ("长岭北路", "林城西路")),
        ),
    ),
}


# ---- The customers --------------------------------------------------------------------------------------


class Company(NamedTuple):
    """One row of :data:`COMPANIES`.

    ``kind`` decides the credit code's registration authority and the organisation form: ``co`` a company
    (91…), ``gov`` a government office (11…), ``inst`` a public institution (12…), ``ib`` an individual
    business (92…), ``coop`` a farmers' cooperative (93…), ``person`` a private person (no code).
    ``grade`` is the grade the sales figures give (ABC); a director may later set another by hand.
    """

    kind: str
    name: str
    short: str
    city: str
    industry: str
    nature: str
    ownership: str
    channel: str
    tier: str
    grade: str
    lifecycle: str
    owner: str
    domain: str


COMPANIES = tuple(
    Company(*row)
    for row in (
        # 华东区
        (
            "co",
            "上海宏达五金机电有限公司",
            "宏达五金",
            "上海",
            "五金机电批发",
            "ordinary",
            "private",
            "wholesaler",
            "key",
            "A",
            "current",
            "manager1",
            "hongdajd.com",
        ),
        (
            "co",
            "上海申菱机电设备股份有限公司",
            "申菱机电",
            "上海",
            "机电设备制造",
            "ordinary",
            "joint_stock",
            "end_user",
            "key",
            "A",
            "current",
            "manager1",
            "shenling-me.com",
        ),
        (
            "co",
            "上海浦源供水有限公司",
            "浦源供水",
            "上海",
            "城市供水",
            "special",
            "state",
            "end_user",
            "key",
            "B",
            "current",
            "manager1",
            "pysupply.com.cn",
        ),
        (
            "gov",
            "上海市闵行区水务局",
            "闵行水务局",
            "上海",
            "政府机关（水务管理）",
            "government",
            "state",
            "end_user",
            "general",
            "C",
            "current",
            "manager1",
            "",
        ),
        (
            "co",
            "上海嘉成建设工程有限公司",
            "嘉成建设",
            "上海",
            "建筑安装工程",
            "ordinary",
            "private",
            "end_user",
            "general",
            "B",
            "current",
            "manager1",
            "jiacheng-js.com",
        ),
        (
            "co",
            "杭州恒通阀门销售有限公司",
            "恒通阀门",
            "杭州",
            "阀门批发",
            "partner",
            "private",
            "agent",
            "key",
            "A",
            "current",
            "manager1",
            "htvalve.cn",
        ),
        (
            "co",
            "杭州天目山药业股份有限公司",
            "天目山药业",
            "杭州",
            "医药制造",
            "ordinary",
            "joint_stock",
            "end_user",
            "general",
            "C",
            "current",
            "manager1",
            "tmspharma.com",
        ),
        (
            "co",
            "浙江钱塘环保工程有限公司",
            "钱塘环保",
            "杭州",
            "环保工程",
            "ordinary",
            "private",
            "end_user",
            "general",
            "D",
            "potential",
            "manager1",
            "qtep.com.cn",
        ),
        (
            "co",
            "南京宁江化工装备有限公司",
            "宁江化工",
            "南京",
            "化工装备制造",
            "ordinary",
            "state",
            "end_user",
            "key",
            "B",
            "current",
            "manager1",
            "ningjiang-ce.com",
        ),
        (
            "ib",
            "南京市江宁区瑞丰机电经营部",
            "瑞丰机电",
            "南京",
            "机电零售",
            "individual",
            "private",
            "retailer",
            "sporadic",
            "D",
            "current",
            "manager1",
            "",
        ),
        (
            "co",
            "苏州德胜精密机械有限公司",
            "德胜精密",
            "苏州",
            "精密机械",
            "ordinary",
            "joint_venture",
            "end_user",
            "key",
            "A",
            "current",
            "manager1",
            "dsprecision.com",
        ),
        (
            "co",
            "苏州恒昌电器有限公司",
            "恒昌电器",
            "苏州",
            "小家电制造",
            "ordinary",
            "private",
            "end_user",
            "sporadic",
            "C",
            "current",
            "manager2",
            "hengchang-ea.com",
        ),
        (
            "co",
            "宁波东海港机配件有限公司",
            "东海港机",
            "宁波",
            "港口机械配件",
            "ordinary",
            "private",
            "wholesaler",
            "general",
            "C",
            "past",
            "manager1",
            "donghai-pm.com",
        ),
        (
            "co",
            "宁波利丰塑料机械有限公司",
            "利丰塑机",
            "宁波",
            "塑料机械制造",
            "ordinary",
            "private",
            "end_user",
            "general",
            "C",
            "current",
            "manager2",
            "lifeng-pm.com",
        ),
        (
            "co",
            "合肥长江五金交电有限公司",
            "长江五金",
            "合肥",
            "五金交电批发",
            "ordinary",
            "collective",
            "wholesaler",
            "general",
            "B",
            "current",
            "manager1",
            "cj-hardware.com",
        ),
        (
            "co",
            "安徽好帮手五金连锁有限公司",
            "好帮手五金",
            "合肥",
            "五金连锁零售",
            "ordinary",
            "private",
            "chain",
            "general",
            "C",
            "current",
            "manager2",
            "haobangshou.cn",
        ),
        (
            "co",
            "济南泉城热力有限公司",
            "泉城热力",
            "济南",
            "城市供热",
            "special",
            "state",
            "end_user",
            "key",
            "A",
            "current",
            "manager1",
            "qcheat.com",
        ),
        (
            "co",
            "济南泰丰泵业专营有限公司",
            "泰丰泵业",
            "济南",
            "水泵专营",
            "ordinary",
            "private",
            "specialty",
            "general",
            "C",
            "current",
            "manager1",
            "taifeng-pump.com",
        ),
        (
            "co",
            "上海润泉水处理设备有限公司",
            "润泉水处理",
            "上海",
            "水处理设备",
            "ordinary",
            "private",
            "franchise",
            "sporadic",
            "D",
            "potential",
            "manager1",
            "runquan-water.com",
        ),
        (
            "person",
            "陈国华",
            "陈国华",
            "上海",
            "个人（苗木种植）",
            "individual",
            "private",
            "end_user",
            "sporadic",
            "D",
            "past",
            "manager1",
            "",
        ),
        # 华北区
        (
            "co",
            "北京华信智能楼宇科技有限公司",
            "华信楼宇",
            "北京",
            "楼宇自控系统集成",
            "ordinary",
            "private",
            "agent",
            "key",
            "A",
            "current",
            "manager1",
            "huaxin-ib.com",
        ),
        (
            "co",
            "北京京城市政工程有限公司",
            "京城市政",
            "北京",
            "市政工程",
            "ordinary",
            "state",
            "end_user",
            "key",
            "B",
            "current",
            "manager2",
            "jcsz.com.cn",
        ),
        (
            "inst",
            "北京京南康复医院",
            "京南医院",
            "北京",
            "医疗卫生",
            "government",
            "state",
            "end_user",
            "general",
            "C",
            "current",
            "manager1",
            "",
        ),
        (
            "co",
            "天津滨海重工机械有限公司",
            "滨海重工",
            "天津",
            "重型机械制造",
            "ordinary",
            "state",
            "end_user",
            "key",
            "A",
            "current",
            "manager2",
            "bhhi.com.cn",
        ),
        (
            "co",
            "天津津达物资贸易有限公司",
            "津达物资",
            "天津",
            "物资贸易",
            "partner",
            "private",
            "wholesaler",
            "general",
            "B",
            "current",
            "manager1",
            "jinda-trade.com",
        ),
        (
            "co",
            "石家庄冀中纺织印染有限公司",
            "冀中印染",
            "石家庄",
            "纺织印染",
            "ordinary",
            "private",
            "end_user",
            "general",
            "C",
            "past",
            "manager1",
            "jzdyeing.com",
        ),
        (
            "co",
            "河北燕赵农机销售有限公司",
            "燕赵农机",
            "石家庄",
            "农机销售",
            "ordinary",
            "private",
            "retailer",
            "sporadic",
            "C",
            "current",
            "manager1",
            "yzagri.com",
        ),
        (
            "co",
            "太原汾河热电有限责任公司",
            "汾河热电",
            "太原",
            "火力发电",
            "special",
            "state",
            "end_user",
            "key",
            "B",
            "current",
            "manager2",
            "fhpower.com.cn",
        ),
        (
            "co",
            "山西三晋煤机配件有限公司",
            "三晋煤机",
            "太原",
            "煤矿机械配件",
            "ordinary",
            "private",
            "wholesaler",
            "general",
            "C",
            "current",
            "manager1",
            "sanjin-cm.com",
        ),
        (
            "co",
            "内蒙古绿原乳业股份有限公司",
            "绿原乳业",
            "呼和浩特",
            "乳制品加工",
            "ordinary",
            "joint_stock",
            "end_user",
            "general",
            "D",
            "potential",
            "manager2",
            "lvyuan-dairy.com",
        ),
        (
            "co",
            "北京康美斯环境设备有限公司",
            "康美斯",
            "北京",
            "暖通空调设备",
            "ordinary",
            "joint_venture",
            "agent",
            "general",
            "C",
            "current",
            "manager1",
            "kms-env.com",
        ),
        (
            "co",
            "三和精工（北京）有限公司",
            "三和精工",
            "北京",
            "精密加工",
            "ordinary",
            "foreign",
            "end_user",
            "general",
            "C",
            "current",
            "manager2",
            "sanwa-bj.com",
        ),
        (
            "person",
            "刘建军",
            "刘建军",
            "天津",
            "个人（水电安装）",
            "individual",
            "private",
            "end_user",
            "sporadic",
            "D",
            "current",
            "manager1",
            "",
        ),
        (
            "gov",
            "天津市南开区市容和园林管理委员会",
            "南开市容园林",
            "天津",
            "政府机关（市政园林）",
            "government",
            "state",
            "end_user",
            "sporadic",
            "C",
            "current",
            "manager2",
            "",
        ),
        # 华南区
        (
            "co",
            "广州穗丰泵阀贸易有限公司",
            "穗丰泵阀",
            "广州",
            "泵阀贸易",
            "partner",
            "private",
            "agent",
            "key",
            "A",
            "current",
            "manager2",
            "suifeng-pv.com",
        ),
        (
            "co",
            "广州天河城市物业管理有限公司",
            "天河物业",
            "广州",
            "物业管理",
            "ordinary",
            "private",
            "end_user",
            "general",
            "C",
            "current",
            "manager2",
            "thproperty.com",
        ),
        (
            "co",
            "广州宏图电器有限公司",
            "宏图电器",
            "广州",
            "电器制造",
            "ordinary",
            "private",
            "end_user",
            "general",
            "C",
            "past",
            "manager2",
            "hongtu-ea.com",
        ),
        (
            "co",
            "深圳市科联达自动化设备有限公司",
            "科联达",
            "深圳",
            "自动化设备",
            "ordinary",
            "private",
            "agent",
            "key",
            "B",
            "current",
            "manager2",
            "kld-auto.com",
        ),
        (
            "ib",
            "深圳市宝安区美佳五金商行",
            "美佳五金",
            "深圳",
            "五金零售",
            "individual",
            "private",
            "retailer",
            "sporadic",
            "D",
            "current",
            "manager2",
            "",
        ),
        (
            "co",
            "捷成电子科技（深圳）有限公司",
            "捷成电子",
            "深圳",
            "电子制造",
            "ordinary",
            "foreign",
            "end_user",
            "general",
            "B",
            "current",
            "manager2",
            "jiecheng-sz.com",
        ),
        (
            "co",
            "东莞市精诚模具有限公司",
            "精诚模具",
            "东莞",
            "模具制造",
            "ordinary",
            "private",
            "end_user",
            "general",
            "C",
            "current",
            "manager2",
            "jingcheng-mold.com",
        ),
        (
            "co",
            "东莞联丰制衣有限公司",
            "联丰制衣",
            "东莞",
            "服装制造",
            "ordinary",
            "foreign",
            "end_user",
            "sporadic",
            "D",
            "past",
            "manager2",
            "lianfeng-gm.com",
        ),
        (
            "co",
            "佛山市顺德区华美厨卫电器有限公司",
            "华美厨卫",
            "佛山",
            "厨卫电器制造",
            "ordinary",
            "private",
            "end_user",
            "key",
            "A",
            "current",
            "manager2",
            "huamei-kb.com",
        ),
        (
            "co",
            "佛山市百佳建材连锁有限公司",
            "百佳建材",
            "佛山",
            "建材连锁零售",
            "ordinary",
            "private",
            "chain",
            "general",
            "C",
            "current",
            "manager2",
            "baijia-bm.com",
        ),
        (
            "co",
            "南宁邕江供水有限责任公司",
            "邕江供水",
            "南宁",
            "城市供水",
            "special",
            "state",
            "end_user",
            "key",
            "B",
            "current",
            "manager2",
            "yjwater.com.cn",
        ),
        (
            "co",
            "广西桂通农业机械有限公司",
            "桂通农机",
            "南宁",
            "农机经销",
            "ordinary",
            "collective",
            "wholesaler",
            "sporadic",
            "D",
            "potential",
            "manager2",
            "guitong-am.com",
        ),
        (
            "co",
            "海口椰城酒店管理有限公司",
            "椰城酒店",
            "海口",
            "酒店管理",
            "ordinary",
            "private",
            "end_user",
            "general",
            "D",
            "potential",
            "manager2",
            "yecheng-hotel.com",
        ),
        (
            "person",
            "黄志明",
            "黄志明",
            "广州",
            "个人（水产养殖）",
            "individual",
            "private",
            "end_user",
            "sporadic",
            "D",
            "potential",
            "manager2",
            "",
        ),
        # 西南区
        (
            "co",
            "成都蜀道机电设备有限公司",
            "蜀道机电",
            "成都",
            "机电设备批发",
            "partner",
            "private",
            "wholesaler",
            "key",
            "A",
            "current",
            "manager2",
            "shudao-me.com",
        ),
        (
            "co",
            "成都天府生物制药股份有限公司",
            "天府制药",
            "成都",
            "生物制药",
            "ordinary",
            "joint_stock",
            "end_user",
            "general",
            "B",
            "current",
            "manager1",
            "tfbio.com",
        ),
        (
            "co",
            "成都龙泉汽车零部件有限公司",
            "龙泉汽配",
            "成都",
            "汽车零部件",
            "ordinary",
            "joint_venture",
            "end_user",
            "general",
            "C",
            "current",
            "manager1",
            "lq-autoparts.com",
        ),
        (
            "co",
            "成都锦城泵阀专营有限公司",
            "锦城泵阀",
            "成都",
            "泵阀专营",
            "ordinary",
            "private",
            "specialty",
            "sporadic",
            "C",
            "current",
            "manager2",
            "jincheng-pv.com",
        ),
        (
            "co",
            "重庆渝江船舶配件有限公司",
            "渝江船配",
            "重庆",
            "船舶配件",
            "ordinary",
            "state",
            "wholesaler",
            "general",
            "C",
            "past",
            "manager2",
            "yujiang-marine.com",
        ),
        (
            "co",
            "重庆两江矿山机械集团有限公司",
            "两江矿机",
            "重庆",
            "矿山机械制造",
            "ordinary",
            "state",
            "end_user",
            "key",
            "B",
            "current",
            "manager2",
            "lj-mining.com",
        ),
        (
            "inst",
            "重庆市九龙坡区市政设施管理处",
            "九龙坡市政",
            "重庆",
            "市政设施管理",
            "government",
            "state",
            "end_user",
            "general",
            "C",
            "current",
            "manager2",
            "",
        ),
        (
            "co",
            "昆明春城水务工程有限公司",
            "春城水务",
            "昆明",
            "水务工程",
            "special",
            "state",
            "end_user",
            "key",
            "B",
            "current",
            "manager2",
            "cc-water.com",
        ),
        (
            "coop",
            "昆明斗南花农专业合作社",
            "斗南花农",
            "昆明",
            "花卉种植",
            "ordinary",
            "collective",
            "end_user",
            "sporadic",
            "D",
            "current",
            "manager2",
            "",
        ),
        (
            "co",
            "贵阳黔中电力设备有限公司",
            "黔中电力",
            "贵阳",
            "电力设备",
            "ordinary",
            "private",
            "agent",
            "general",
            "B",
            "current",
            "manager2",
            "qz-power.com",
        ),
        (
            "co",
            "贵州黔山酒业有限公司",
            "黔山酒业",
            "贵阳",
            "白酒酿造",
            "ordinary",
            "private",
            "end_user",
            "general",
            "D",
            "potential",
            "manager2",
            "qianshan-liquor.com",
        ),
        (
            "co",
            "贵阳清泉水处理设备有限公司",
            "清泉水处理",
            "贵阳",
            "净水设备",
            "ordinary",
            "private",
            "franchise",
            "sporadic",
            "D",
            "past",
            "manager2",
            "qingquan-wt.com",
        ),
    )
)

# Key customers that deliberately have a single contact, so the "key customer with fewer than two
# contacts" flag has something to show.
SINGLE_CONTACT = frozenset({"泉城热力", "汾河热电", "华美厨卫"})

# Customers two managers look after (协同经理): short name -> co-owners, added by the director.
CO_OWNERS = {
    "申菱机电": ("manager2",),
    "两江矿机": ("manager1",),
}

# Customers handed over by the director: short name -> the manager who opened the card.
HANDED_OVER_FROM = {"利丰塑机": "manager1"}
HANDOVER_REASON = "客户经理工作调整，移交陈思远跟进"


class CardEdit(NamedTuple):
    short: str
    actor: str
    data: dict
    reason: str


# Later edits of the card, so the change trail shows several people at work.
CARD_EDITS = (
    CardEdit("宏达五金", "manager1", {"phone": "021-58396688", "fax": "021-58396699"}, "客户总机号码变更"),
    CardEdit(
        "恒通阀门",
        "manager1",
        {"annual_sales": Decimal("86000000.00"), "employees": 126},
        "年度复核：按客户年报更新销售额和人数",
    ),
    CardEdit(
        "德胜精密",
        "manager1",
        {
            "cooperation_attitude": "德方新任总经理重视本地化采购，同意把冷却水系统的泵阀逐步切换为我司产品。",
        },
        "拜访后更新合作态度",
    ),
    CardEdit(
        "宁江化工",
        "manager1",
        {
            "future_plans": "明年上半年新建年产 2 万吨反应釜生产线，配套耐腐蚀化工泵约 60 台，已列入我司重点跟踪项目。",
        },
        "补充客户扩产计划",
    ),
    CardEdit("津达物资", "manager1", {"best_visit_time": "周三上午 10:00 以后", "visit_order": 2}, "调整拜访安排"),
    CardEdit(
        "申菱机电",
        "manager2",
        {
            "competing_products": "二号厂房在用格兰富立式多级泵 12 台，今年到期更换，是我司切入的机会。",
        },
        "协同经理补充竞品信息",
    ),
    CardEdit(
        "穗丰泵阀",
        "manager2",
        {"address": "广东省广州市天河区黄埔大道西668号2203室", "postcode": "510620"},
        "客户迁入新办公地址",
    ),
    CardEdit(
        "蜀道机电",
        "manager2",
        {
            "credit_standing": "信用良好，近三年回款及时，可将信用额度由 200 万元提高到 300 万元。",
        },
        "年度信用复核",
    ),
    CardEdit("长江五金", "director", {"trading_terms": "款到发货；年度提货满 300 万元返利 2%。"}, "总监核定交易条件"),
    CardEdit("科联达", "director", {"grade_override": "A"}, "战略合作代理商，总监手工定为 A 级"),
    CardEdit("两江矿机", "director", {"grade_override": "A"}, "集团采购框架协议客户，总监手工定为 A 级"),
    CardEdit("康美斯", "director", {"grade_override": "B"}, "合资品牌代理，增长潜力大，总监手工定为 B 级"),
    CardEdit(
        "渝江船配",
        "director",
        {
            "grade_override": "D",
            "credit_standing": "尚欠货款 38.6 万元，已逾期 200 天，暂停赊销，仅接受款到发货。",
        },
        "欠款未清，降为 D 级",
    ),
)


class ContactEdit(NamedTuple):
    short: str
    actor: str
    index: int  # position of the contact in the plan
    data: dict


CONTACT_EDITS = (
    ContactEdit("申菱机电", "manager2", 1, {"title": "采购总监", "mobile": "13816620931"}),
    ContactEdit("穗丰泵阀", "manager2", 0, {"hobbies": "喜欢喝功夫茶，周末常去从化钓鱼；最近迷上了骑行。"}),
    ContactEdit("宏达五金", "manager1", 0, {"phone": "021-58396688 转 801"}),
)


# Where the card stands on its way into the archive. A card not named here stays a draft. Its owner submits
# it; the director files it (the archive number is the year's next one, in the order of approval) or returns
# it with a comment from RETURN_COMMENTS.
STATUSES = {
    **{
        short: "filed"
        for short in (
            "宏达五金",
            "申菱机电",
            "恒通阀门",
            "宁江化工",
            "德胜精密",
            "泉城热力",
            "华信楼宇",
            "滨海重工",
            "穗丰泵阀",
            "蜀道机电",
            "两江矿机",
            "长江五金",
            "汾河热电",
            "华美厨卫",
            "邕江供水",
            "春城水务",
            "京城市政",
            "科联达",
        )
    },
    **{short: "pending" for short in ("嘉成建设", "津达物资", "天府制药", "捷成电子", "黔中电力")},
    **{short: "returned" for short in ("好帮手五金", "三晋煤机", "百佳建材")},
}
# The notes the owner writes on a filing request.
STATUS_REASONS = {
    "submitted": "资料已核实，申请入档",
    "resubmitted": "已按退回意见修改，重新提交入档",
}
# What the director asked to be corrected when returning a card: every "returned" card has one, and so has a
# card of REWORK, which was returned once, corrected and submitted again.
RETURN_COMMENTS = {
    "好帮手五金": "营业执照扫描件未上传；资料取自公开信息，请拜访核实经营地址和联系人后重新提交。",
    "三晋煤机": "注册资本与营业执照不一致（执照为 2000 万元），法定代表人已变更，请核对工商登记信息后再提交。",
    "百佳建材": "信用状况和交易条件未填写，建材经销客户须写明结算方式和账期，请补充后再提交。",
    "华信楼宇": "交易条件与已签年度框架协议不符（协议为月结 60 天），请按协议更正后重新提交。",
    "津达物资": "渠道类型应为代理商而非批发商，请与合同核对后再提交。",
}
# The correction the owner makes to a returned card before submitting it again.
REWORK = {
    "华信楼宇": CardEdit(
        "华信楼宇",
        "manager1",
        {"trading_terms": "年度框架协议价；货到验收合格后月结 60 天，质保金 5% 一年后付清。"},
        "按总监退回意见更正交易条件",
    ),
    "津达物资": CardEdit("津达物资", "manager1", {"channel": "agent"}, "按总监退回意见更正渠道类型"),
}


class ChangeRequestPlan(NamedTuple):
    """A change the keeper proposes to a filed card, and what the director made of it."""

    short: str
    actor: str
    data: dict
    note: str
    decision: str = "pending"  # "pending", "approved" or "returned"
    comment: str = ""  # the director's reason for returning it


CHANGE_REQUESTS = (
    ChangeRequestPlan(
        "恒通阀门",
        "manager1",
        {"phone": "0571-86917788"},
        "客户更换总机号码，新号码已电话核实",
        decision="approved",
    ),
    ChangeRequestPlan(
        "穗丰泵阀",
        "manager2",
        {"credit_standing": "回款及时，建议将信用额度由 300 万元提高到 500 万元，账期 90 天。"},
        "客户年采购量增长明显，申请调整信用评价",
        decision="returned",
        comment="信用额度调整须先经财务部信用评审，请附评审意见后再提交。",
    ),
    ChangeRequestPlan(
        "德胜精密",
        "manager1",
        {"address": "江苏省苏州市工业园区星湖街328号"},
        "客户搬迁至星湖街新厂区，营业执照住所已同步变更",
    ),
    ChangeRequestPlan(
        "蜀道机电",
        "manager2",
        {"phone": "028-85336677", "fax": "028-85336678"},
        "客户启用新总机和传真号码，原号码月底停用",
    ),
)


class DeletionPlan(NamedTuple):
    """A keeper's request to move a card to the recycle bin; ``approved`` means the director agreed."""

    short: str
    actor: str
    note: str
    approved: bool = False


DELETIONS = (
    DeletionPlan("冀中印染", "manager1", "客户因环保整治已关停，工商登记状态为注销，无未结货款，申请删除此卡。"),
    DeletionPlan(
        "联丰制衣",
        "manager2",
        "工厂已关闭并办理注销，三年无业务往来，往来账已结清，申请移入回收站。",
        approved=True,
    ),
)


class AttachmentPlan(NamedTuple):
    """A scanned document the keeper uploads to a filed card, and how far it got towards the archive.

    ``status`` is "draft" (uploaded only), "pending", "filed" or "returned" (with ``comment``). ``proposed``
    is a change the keeper then asks for on the filed document, with ``proposal_note``.
    """

    short: str
    actor: str
    kind: str
    title: str
    file_name: str
    status: str
    comment: str = ""
    proposed: dict | None = None
    proposal_note: str = ""


ATTACHMENTS = (
    AttachmentPlan("宏达五金", "manager1", "licence", "营业执照（副本）", "营业执照副本.png", "filed"),
    AttachmentPlan(
        "宏达五金", "manager1", "signed_form", "客户资料登记表（客户盖章）", "客户资料登记表.png", "pending"
    ),
    AttachmentPlan("申菱机电", "manager1", "licence", "营业执照（副本）", "营业执照.png", "filed"),
    AttachmentPlan(
        "申菱机电",
        "manager1",
        "id_copy",
        "法定代表人身份证复印件",
        "法人身份证.png",
        "returned",
        comment="身份证复印件只有正面，请补扫反面并加盖客户公章后重新上传。",
    ),
    AttachmentPlan(
        "泉城热力",
        "manager1",
        "other",
        "供热管网改造项目需求确认单",
        "需求确认单.png",
        "filed",
        proposed={"kind": "signed_form"},
        proposal_note="该文件是客户签字盖章的确认单，类别应为“签字表单”。",
    ),
    AttachmentPlan("恒通阀门", "manager1", "licence", "营业执照（正本）", "恒通营业执照.png", "draft"),
    AttachmentPlan("滨海重工", "manager2", "licence", "营业执照（副本）", "滨海重工营业执照.png", "filed"),
    AttachmentPlan("滨海重工", "manager2", "signed_form", "年度供货框架协议签字页", "框架协议签字页.png", "pending"),
    AttachmentPlan("穗丰泵阀", "manager2", "licence", "营业执照（副本）", "穗丰营业执照.png", "filed"),
    AttachmentPlan("穗丰泵阀", "manager2", "other", "授权经销证书", "授权经销证书.png", "draft"),
    AttachmentPlan("科联达", "manager2", "licence", "营业执照（副本）", "科联达营业执照.png", "pending"),
)
# Latin headings for the placeholder pictures: the default font has no Chinese characters.
ATTACHMENT_HEADINGS = {
    "licence": "BUSINESS LICENCE",
    "id_copy": "ID CARD COPY",
    "signed_form": "SIGNED FORM",
    "other": "DOCUMENT",
}
ATTACHMENT_NOTE = "扫描件已与原件核对，申请入档"
GRADE_REASON = "按销售额分级 (ABC)"

# ---- People on the customer's side -----------------------------------------------------------------------

SURNAMES = (
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("胡", "hu"),
    ("朱", "zhu"),
    ("高", "gao"),
    ("林", "lin"),
    ("何", "he"),
    ("郭", "guo"),
    ("马", "ma"),
    ("罗", "luo"),
    ("梁", "liang"),
    ("宋", "song"),
    ("郑", "zheng"),
    ("谢", "xie"),
    ("韩", "han"),
    ("唐", "tang"),
    ("冯", "feng"),
    ("于", "yu"),
    ("董", "dong"),
    ("程", "cheng"),
    ("曹", "cao"),
    ("袁", "yuan"),
    ("邓", "deng"),
    ("许", "xu"),
    ("沈", "shen"),
    ("曾", "zeng"),
    ("彭", "peng"),
    ("蒋", "jiang"),
    ("蔡", "cai"),
    ("潘", "pan"),
)
GIVEN_NAMES = {
    "m": (
        ("建华", "jianhua"),
        ("志强", "zhiqiang"),
        ("伟", "wei"),
        ("磊", "lei"),
        ("军", "jun"),
        ("勇", "yong"),
        ("俊杰", "junjie"),
        ("文博", "wenbo"),
        ("国栋", "guodong"),
        ("明辉", "minghui"),
        ("永刚", "yonggang"),
        ("振华", "zhenhua"),
        ("德明", "deming"),
        ("宏伟", "hongwei"),
        ("晓东", "xiaodong"),
        ("鹏", "peng"),
        ("浩然", "haoran"),
        ("斌", "bin"),
        ("建平", "jianping"),
        ("立群", "liqun"),
        ("卫东", "weidong"),
        ("长江", "changjiang"),
        ("子健", "zijian"),
        ("庆丰", "qingfeng"),
    ),
    "f": (
        ("丽娟", "lijuan"),
        ("秀英", "xiuying"),
        ("静", "jing"),
        ("婷", "ting"),
        ("雪梅", "xuemei"),
        ("海燕", "haiyan"),
        ("佳怡", "jiayi"),
        ("慧敏", "huimin"),
        ("玉兰", "yulan"),
        ("芳", "fang"),
        ("琳", "lin"),
        ("倩", "qian"),
        ("晓红", "xiaohong"),
        ("春燕", "chunyan"),
        ("雅琴", "yaqin"),
    ),
}


# Where a customer of each channel usually sits (地段).
LOCATION_TYPES = {
    **dict.fromkeys(
        ("retailer", "chain", "specialty", "franchise"), ("commercial", "commercial", "traffic_hub", "residential")
    ),
    **dict.fromkeys(("wholesaler", "agent"), ("traffic_hub", "commercial", "other")),
    "end_user": ("other", "other", "traffic_hub", "residential"),
}
# Contacts whose title makes them the company's legal representative.
LEGAL_REPRESENTATIVE_TITLES = frozenset({"总经理", "董事长", "经营者", "理事长"})


class Role(NamedTuple):
    title: str
    department: str
    department_role: str
    level: str


EXECUTIVE_ROLES = {
    "co": (
        Role("总经理", "总经理办公室", "other", "executive"),
        Role("董事长", "董事会", "other", "executive"),
        Role("副总经理", "总经理办公室", "other", "executive"),
    ),
    "gov": (Role("副局长", "局领导", "other", "executive"),),
    "inst": (Role("副院长", "院领导", "other", "executive"), Role("主任", "处领导", "other", "executive")),
    "ib": (Role("经营者", "", "purchasing", "executive"),),
    "coop": (Role("理事长", "理事会", "other", "executive"),),
}
STAFF_ROLES = {
    "end_user": (
        Role("采购经理", "采购部", "purchasing", "management"),
        Role("采购专员", "采购部", "purchasing", "user"),
        Role("供应部部长", "供应部", "purchasing", "management"),
        Role("设备科长", "设备科", "using", "management"),
        Role("车间主任", "生产车间", "using", "management"),
        Role("动力车间维修主管", "动力车间", "using", "maintenance"),
        Role("电工班长", "动力车间", "using", "maintenance"),
        Role("总工程师", "技术部", "support", "executive"),
        Role("技术部工程师", "技术部", "support", "user"),
        Role("财务经理", "财务部", "support", "management"),
    ),
    "intermediary": (
        Role("采购经理", "采购部", "purchasing", "management"),
        Role("业务经理", "业务部", "purchasing", "management"),
        Role("门店店长", "门店", "using", "management"),
        Role("技术服务工程师", "技术服务部", "support", "maintenance"),
        Role("仓库主管", "仓储部", "support", "user"),
        Role("财务主管", "财务部", "support", "management"),
    ),
    "public": (
        Role("基建科科长", "基建科", "purchasing", "management"),
        Role("招标采购专员", "采购中心", "purchasing", "user"),
        Role("设备管理员", "设备科", "using", "maintenance"),
        Role("总务科科长", "总务科", "support", "management"),
        Role("办公室主任", "办公室", "support", "management"),
    ),
}
PERSON_ROLE = Role("个人客户", "", "purchasing", "executive")

EDUCATION = ("中专", "大专", "本科", "本科", "本科", "硕士", "MBA")
PERSONALITY = (
    "性格直爽，说话算数，不喜欢绕弯子。",
    "为人谨慎，决策前要反复比较数据和报价。",
    "健谈热情，喜欢交朋友，饭桌上容易谈成事。",
    "技术出身，讲究细节，重视产品参数和检测报告。",
    "作风稳重，注重长期关系，反感过度推销。",
    "雷厉风行，重效率，最讨厌供应商拖延交期。",
)
HOBBIES = (
    "喜欢打羽毛球，周末常去球馆。",
    "爱好钓鱼，熟悉周边几个水库。",
    "喜欢喝茶，偏爱龙井和普洱。",
    "书法爱好者，练颜体多年。",
    "坚持跑步，参加过本地半程马拉松。",
    "足球迷，支持本地球队。",
    "摄影爱好者，节假日常外出采风。",
    "爱下象棋，也打乒乓球。",
)
FAMILY = (
    "已婚，育有一子，正在读高中。",
    "已婚，女儿在外地读大学。",
    "已婚，两个孩子，与父母同住。",
    "爱人在当地医院工作，儿子刚参加工作。",
    "已婚，孩子上小学，周末多陪家人。",
)
SCHOOLS = (
    "合肥工业大学",
    "华南理工大学",
    "北京科技大学",
    "四川大学",
    "浙江工业大学",
    "山东大学",
    "重庆大学",
    "天津大学",
)
MAJORS = ("机械设计", "电气自动化", "热能与动力工程", "给排水工程", "工商管理", "化学工程")
CAREERS = (
    "早年在国营机械厂做技术员",
    "做过十年设备维修",
    "曾在外资企业负责采购",
    "从一线销售做起",
    "在设计院工作过五年",
)


# ---- What the card says about the customer ---------------------------------------------------------------

PRODUCTS = (
    "IS 系列单级离心泵",
    "立式多级泵",
    "不锈钢管道泵",
    "电动蝶阀",
    "YE3 高效三相异步电机",
    "变频恒压供水设备",
    "潜水排污泵",
    "消防泵组",
    "通用变频器",
    "耐腐蚀化工泵",
)
COMPETITORS = ("格兰富", "威乐", "凯泉", "连成", "南方泵业", "西门子", "ABB")

SERVICE_AREA = {
    "intermediary": (
        "以{city}为中心，覆盖{province}及周边主要地市。",
        "主要服务{city}及周边县市的工矿企业和工程公司。",
        "门市辐射{city}城区，兼做周边乡镇的零售批发。",
    ),
    "end_user": (
        "产品销往全国，部分出口东南亚。",
        "负责{city}城区及周边的公共服务。",
        "以{province}市场为主，正在开拓华东、华南。",
    ),
}
SALES_CAPABILITY = {
    "intermediary": (
        "拥有销售人员二十余名，有稳定的工程客户群，擅长项目投标。",
        "门市加电话销售，以小批量零售为主，周转快。",
        "有自己的安装队伍，能提供选型、安装、维修一条龙服务。",
    ),
    "end_user": (
        "自用为主，年采购泵阀及电机约 {spend} 万元。",
        "设备采购集中在年初，年采购额约 {spend} 万元。",
    ),
}
TEXTS = {
    "development_potential": (
        "新厂区二期明年投产，设备需求预计翻番。",
        "受行业下行影响，近两年需求持平。",
        "正在申报高新技术企业，技改投入逐年增加。",
        "潜力一般，以维修更换为主。",
        "节能改造政策推动下，变频和高效电机需求增长明显。",
    ),
    "business_philosophy": (
        "重质量、重服务，价格不是第一考虑。",
        "追求低价，每次采购都要三家以上比价。",
        "讲究长期合作，看重供应商的响应速度。",
        "稳健经营，不赊账不欠款。",
    ),
    "management_style": (
        "家族式管理，老板拍板，决策快。",
        "制度规范，采购需走招标流程。",
        "国企流程，审批环节多、周期长。",
        "外资企业，严格执行供应商准入和年度审核。",
    ),
    "sales_performance": (
        "近三年销售额稳步增长，年增幅约 15%。",
        "去年销售额下滑约一成，今年有所回升。",
        "业绩平稳，在当地同行中处于中上游。",
        "主营业务增长较快，已成为本地同类企业前三名。",
    ),
    "staff_quality": (
        "技术人员素质较高，能独立完成选型。",
        "业务员流动性大，专业知识欠缺，需要我司多做培训。",
        "设备管理人员经验丰富，对产品质量要求严格。",
        "员工整体素质一般，但关键岗位稳定。",
    ),
    "competitor_relations": (
        "同时代理{competitor}产品，与我司形成竞争。",
        "与{competitor}的本地经销商关系密切，需要持续维护。",
        "目前只采购我司和{competitor}两家产品。",
        "与竞争对手无往来，对我司依赖度高。",
    ),
    "cooperation_attitude": (
        "合作意愿强，愿意做区域重点推广。",
        "态度积极，但付款偏慢。",
        "持观望态度，需要更多技术交流。",
        "配合度高，样品试用和现场测试都很支持。",
    ),
    "competing_products": (
        "现场在用{competitor}立式多级泵约 {units} 台。",
        "主要使用{competitor}离心泵和电机，部分已超期服役。",
        "循环水系统采用{competitor}设备，运行能耗偏高。",
    ),
    "trading_problems": (
        "旺季交货期偏长时客户有抱怨。",
        "去年有两次质量投诉，已妥善处理。",
        "价格敏感，毛利偏低。",
        "对账不及时，时有差额需要核对。",
    ),
    "trading_strengths": (
        "我司售后响应快，客户认可。",
        "价格有竞争力，产品线齐全。",
        "多年老客户，信任度高。",
        "我司有现货库存，能满足其急单需求。",
    ),
    "future_plans": (
        "计划明年签订年度框架协议。",
        "推动变频节能改造项目，争取整体方案供货。",
        "争取进入其集团合格供应商名录。",
        "协助其开拓下游工程客户，扩大提货量。",
    ),
    "reputation": (
        "在当地同行中口碑良好。",
        "行业内知名度高，是当地纳税大户。",
        "形象一般，曾有少量合同纠纷。",
    ),
    "credit_standing": (
        "信用良好，从未逾期。",
        "偶有逾期，金额不大，催收后能付清。",
        "资金周转偏紧，需控制赊销额度。",
    ),
    "trading_terms": (
        "月结 30 天。",
        "款到发货。",
        "预付 30%，验收后付 60%，10% 质保金一年后结清。",
        "承兑汇票结算，月结 60 天。",
    ),
}
POTENTIAL_PLANS = (
    "对方明年有设备更新计划，争取进入其供应商名录。",
    "先以试用订单切入，再争取整体配套。",
    "跟踪其新项目招标，提前做好技术交流。",
)
LAPSED_PROBLEMS = (
    "因价格原因转向{competitor}，已一年多未下单。",
    "对方主营业务萎缩，停止采购。",
    "曾因一批货延期交付产生纠纷，此后不再合作。",
)
PAST_CREDIT_ISSUES = (
    "{year} 年有一笔 {amount} 万元货款逾期 90 天，经多次催收后结清。",
    "曾拖欠质保金 {amount} 万元，至今未付清。",
)
BEST_VISIT_TIMES = (
    "周二上午",
    "周四下午 14:00–16:00",
    "每月上旬",
    "工作日上午 9:30 以后",
    "周五上午（周一例会，避开）",
    "周三下午",
    "月底对账前一周",
)


# ---- Interactions -----------------------------------------------------------------------------------------


class Template(NamedTuple):
    kind: str
    subject: str
    content: str
    next_step: str


CURRENT_TEMPLATES = (
    Template(
        "visit",
        "例行拜访",
        "拜访{person}，了解近期设备运行情况。客户反映{product}运行稳定，计划下季度再增补 {qty} 台。",
        "整理增补需求，一周内报价",
    ),
    Template(
        "visit",
        "售后回访",
        "回访上月交付的{product}安装调试情况，现场查看运行记录，振动和温升正常，客户满意。",
        "三个月后再次回访",
    ),
    Template(
        "visit",
        "新产品推介",
        "向{person}介绍新一代高效节能{product}，现场演示节能测算表，对方有兴趣在新产线试用。",
        "寄送样本和节能测算报告",
    ),
    Template(
        "visit", "现场技术交流", "与{person}讨论循环水系统改造方案，初步确定采用变频恒压供水。", "技术部出具选型方案"
    ),
    Template(
        "call",
        "电话确认交期",
        "{person}来电询问订单交货期，已协调工厂，确认本月 {day} 日前发货。",
        "发货后通知客户收货",
    ),
    Template(
        "call",
        "电话催收货款",
        "与{person}通话，提醒上月货款 {amount} 万元已到期，对方承诺本周内安排付款。",
        "周五核对到账情况",
    ),
    Template(
        "call",
        "了解采购计划",
        "电话了解明年采购计划，{person}透露预算较今年增加约两成，重点在{product}。",
        "年底前上门洽谈年度协议",
    ),
    Template("letter", "寄送年度产品目录", "寄送新版产品目录和价格表一套，附致客户的感谢信。", "一周后电话确认收到"),
    Template("letter", "寄送对账函", "寄送截至上月末的往来对账函，请客户核对盖章后寄回。", "跟进对账函回执"),
    Template(
        "fax",
        "传真报价单",
        "按{person}要求传真{product}报价单，含运费和安装调试费，报价有效期 30 天。",
        "三天内电话跟进报价反馈",
    ),
    Template(
        "fax",
        "传真确认订货合同",
        "传真订货合同一份（{product} {qty} 台），客户已签字盖章回传。",
        "安排生产计划并通知发货时间",
    ),
    Template(
        "email", "邮件发送技术方案", "向{person}发送{product}选型方案和性能曲线，并附同类项目案例。", "约技术交流会"
    ),
    Template(
        "email",
        "邮件回复质量问题",
        "客户反映一台{product}机械密封渗漏，已邮件回复处理方案，安排售后工程师上门更换。",
        "确认维修结果",
    ),
    Template(
        "meeting",
        "年度供需洽谈会",
        "参加客户年度供应商大会，与{person}就明年框架协议价格和付款方式初步达成一致。",
        "起草年度框架协议",
    ),
    Template(
        "meeting",
        "项目协调会",
        "参加客户技改项目协调会，明确我司负责泵房设备供货和安装指导，工期 45 天。",
        "提交供货进度计划",
    ),
    Template(
        "meeting",
        "质量改进座谈",
        "与{person}座谈去年交付产品的质量情况，对方提出包装和随机资料需改进。",
        "反馈工厂质量部",
    ),
)
PROSPECT_TEMPLATES = (
    Template(
        "call",
        "电话预约拜访",
        "经行业协会介绍联系到{person}，简单介绍我司产品，对方同意下周面谈。",
        "准备公司介绍和产品样本",
    ),
    Template(
        "visit",
        "首次拜访",
        "首次拜访{short}，与{person}交流。对方现用设备已使用多年，能耗偏高，有更换意向。",
        "提交节能改造建议书",
    ),
    Template("email", "邮件发送公司介绍", "向{person}发送公司介绍、资质证书和典型客户名单。", "电话确认是否收到并约见"),
    Template("letter", "寄送产品样本", "寄送{product}样本及参考报价。", "两周后电话回访"),
    Template("meeting", "招标答疑会", "参加{short}设备采购招标答疑会，了解技术要求和评分办法。", "组织投标文件"),
)
LAPSED_TEMPLATES = (
    Template(
        "call",
        "电话催收尾款",
        "联系{person}催收质保金 {amount} 万元，对方称资金紧张，请求延期。",
        "报告总监，研究是否发律师函",
    ),
    Template(
        "visit",
        "了解停止合作原因",
        "拜访{person}，对方表示已改用竞争对手的低价产品，近期无采购计划。",
        "保持联系，关注其设备使用情况",
    ),
    Template("letter", "寄送对账函", "寄送往来对账函，确认尚欠货款余额。", "跟进回函"),
    Template("email", "节日问候", "向{person}发送节日问候和新品资讯，维持联系。", ""),
    Template("fax", "传真催款函", "传真催款函，要求对方在本月底前结清欠款 {amount} 万元。", "月底核查到账"),
)


# ---- The plan ---------------------------------------------------------------------------------------------


@dataclass
class InteractionPlan:
    staff: str  # username of our person who recorded it
    data: dict


@dataclass
class CustomerPlan:
    """Everything ``seed_demo`` does for one customer, in the order it does it."""

    short: str
    name: str
    credit_code: str
    region: str
    owner: str  # the owner at the end
    opened_by: str  # who opens the card (the first owner, or the director for public customers)
    first_owner: str  # whose card it is when opened; differs from ``owner`` after a handover
    data: dict  # card fields for ``customer_create`` (without the region, which is resolved from ``region``)
    grade: str  # the grade the sales analysis would give
    contacts: list[dict] = field(default_factory=list)
    interactions: list[InteractionPlan] = field(default_factory=list)
    co_owners: tuple[str, ...] = ()
    edits: list[CardEdit] = field(default_factory=list)
    contact_edits: list[ContactEdit] = field(default_factory=list)
    status: str = "draft"
    return_comment: str = ""  # the director's, when the card was returned
    rework: CardEdit | None = None  # the owner's correction before submitting the returned card again
    change_requests: list[ChangeRequestPlan] = field(default_factory=list)
    attachments: list[AttachmentPlan] = field(default_factory=list)
    deletion: DeletionPlan | None = None


def build_customers(today: datetime.date) -> list[CustomerPlan]:
    """One plan per row of :data:`COMPANIES`, the same for the same ``today``."""
    routes = Counter()
    plans = [_plan(company, today, routes) for company in COMPANIES]
    codes = [p.credit_code for p in plans if p.credit_code]
    assert len(codes) == len(set(codes)), "demo credit codes must be unique"
    assert len({p.short for p in plans}) == len(plans), "demo short names must be unique"
    shorts = {p.short for p in plans}
    named = [*STATUSES, *RETURN_COMMENTS, *REWORK, *(r.short for r in (*CHANGE_REQUESTS, *DELETIONS, *ATTACHMENTS))]
    assert set(named) <= shorts, f"unknown demo customers: {sorted(set(named) - shorts)}"
    for plan in plans:
        # Only what the filing services accept in that state, so the seed never fails halfway.
        assert (plan.status == "returned" or plan.rework is not None) == bool(plan.return_comment), plan.short
        assert plan.rework is None or plan.status in {"pending", "filed"}, plan.short
        assert plan.status == "filed" or not (plan.change_requests or plan.attachments), plan.short
        assert plan.deletion is None or plan.status != "pending", plan.short
    return plans


def credit_code(rng: random.Random, kind: str, division_code: str) -> str:
    """A unified social credit code (GB 32100-2015) whose organisation code part is valid too (GB 11714)."""
    authority = {"co": "91", "gov": "11", "inst": "12", "ib": "92", "coop": "93"}[kind]
    body = "".join(rng.choice("0123456789") for _ in range(8))
    check = 11 - sum(int(d) * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org_code = body + {10: "X", 11: "0"}.get(check, str(check))
    first17 = authority + division_code + org_code
    assert all(ch in CREDIT_CODE_ALPHABET for ch in first17)
    return first17 + credit_code_check_character(first17)


def _days_ago(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


def _wan(amount: int) -> Decimal:
    """An amount in 万元 (ten thousand yuan) as yuan."""
    return Decimal(amount) * 10_000


def _person(rng: random.Random, taken: set[str], gender: str | None = None) -> tuple[str, str, str]:
    """A Chinese name not yet in ``taken``: (name, pinyin, gender)."""
    while True:
        g = gender or rng.choice("mmf")
        (surname, s_py), (given, g_py) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES[g])
        if surname + given not in taken:
            taken.add(surname + given)
            return surname + given, s_py + g_py, g


def _phone(rng: random.Random, city: City) -> str:
    return f"{city.phone_prefix}-{rng.randint(5, 8)}{rng.randint(0, 9_999_999):07d}"


def _mobile(rng: random.Random) -> str:
    prefix = rng.choice(("135", "136", "137", "138", "139", "150", "158", "186", "188", "177", "189"))
    return f"{prefix}{rng.randint(0, 99_999_999):08d}"


def _plan(company: Company, today: datetime.date, routes: Counter) -> CustomerPlan:
    rng = random.Random(f"{SEED}:{company.name}")
    city = CITIES[company.city]
    district = rng.choice(city.districts)
    is_person = company.kind == "person"
    is_public = company.kind in {"gov", "inst"}
    intermediary = company.channel != "end_user"
    key = company.tier == "key" or company.grade == "A"
    city_name = f"{company.city}市"
    fill = {
        "city": company.city,
        "province": city.province or city_name,
        "short": company.short,
        "competitor": rng.choice(COMPETITORS),
    }

    data = {
        "name": company.name,
        "short_name": company.short,
        "industry": company.industry,
        "nature": company.nature,
        "ownership": company.ownership,
        "channel": company.channel,
        "lifecycle": company.lifecycle,
        "tier": company.tier,
        "chain_position": "intermediary" if intermediary else "end_customer",
        "location_type": rng.choice(LOCATION_TYPES[company.channel]),
        "address": f"{city.province}{city_name}{district.name}{rng.choice(district.roads)}{rng.randint(1, 1999)}号",
        "postcode": district.postcode,
        "phone": _mobile(rng) if is_person else _phone(rng, city),
        "data_source": (
            rng.choice(("customer_form", "public_records", "agency"))
            if company.lifecycle == "potential"
            else rng.choice(("visit", "visit", "visit", "customer_form", "public_records"))
        ),
    }
    code = "" if is_person else credit_code(rng, company.kind, district.division_code)
    data["credit_code"] = code
    if company.domain:
        data["email"] = f"{rng.choice(('sales', 'info', 'office', 'purchase'))}@{company.domain}"
        data["website"] = f"http://www.{company.domain}"
    if not is_person and rng.random() < 0.7:
        data["fax"] = _phone(rng, city)

    # Identity and size
    data["organisation_form"] = {
        "gov": "institution",
        "inst": "institution",
        "ib": "individual_business",
        "coop": "other",
        "person": "",
    }.get(company.kind) or ("joint_stock" if company.name.endswith("股份有限公司") else "limited")
    if company.kind in {"co", "ib", "coop"}:
        capital = (
            rng.choice(
                {
                    "key": (2000, 3000, 5000, 8000, 10000, 20000),
                    "general": (500, 800, 1000, 2000, 3000),
                    "sporadic": (50, 100, 200, 300, 500),
                }[company.tier]
            )
            if company.kind == "co"
            else rng.choice((10, 20, 30, 50))
        )
        employees = (
            {"key": (30, 300), "general": (10, 120), "sporadic": (3, 30)}
            if intermediary
            else {"key": (200, 3000), "general": (50, 500), "sporadic": (5, 80)}
        )[company.tier]
        data.update(
            registered_capital=_wan(capital),
            total_assets=_wan(round(capital * rng.uniform(1.5, 8))),
            annual_sales=_wan(round(capital * rng.uniform(1.2, 6))),
            employees=rng.randint(*employees) if company.kind == "co" else rng.randint(2, 12),
        )
    elif is_public:
        data["employees"] = rng.randint(60, 900)
    if not is_person:
        data["founded_on"] = datetime.date(
            rng.randint(1958 if company.ownership == "state" else 1992, 2019), rng.randint(1, 12), rng.randint(1, 28)
        )
        data["business_scope"] = _business_scope(company)
    if company.lifecycle != "potential":
        start = max(data.get("founded_on", datetime.date(2008, 1, 1)), datetime.date(2008, 1, 1))
        latest = _days_ago(today, 540 if company.lifecycle == "past" else 90)
        data["first_deal_on"] = start + datetime.timedelta(days=rng.randint(30, max(31, (latest - start).days)))

    # Route and review
    if company.lifecycle != "past":
        routes[(city.region, city.route)] += 1
        data.update(
            route=city.route,
            visit_order=routes[(city.region, city.route)],
            best_visit_time=rng.choice(BEST_VISIT_TIMES),
        )
    if company.lifecycle == "current" and rng.random() < 0.85:
        data["reviewed_on"] = _days_ago(today, rng.randint(5, 400))
    elif company.lifecycle == "past":
        data["reviewed_on"] = _days_ago(today, rng.randint(300, 700))

    data.update(_texts(company, rng, fill, data))

    # People
    founded = data["founded_on"].year if "founded_on" in data else 2000
    contacts = _contacts(company, rng, city, key, founded)
    boss = next((c for c in contacts if c["title"] in LEGAL_REPRESENTATIVE_TITLES), None)
    if not is_person:
        data["legal_representative"] = boss["name"] if boss else _person(rng, {c["name"] for c in contacts})[0]

    opened_for = HANDED_OVER_FROM.get(company.short, company.owner)
    co_owners = CO_OWNERS.get(company.short, ())
    return CustomerPlan(
        short=company.short,
        name=company.name,
        credit_code=code,
        region=city.region,
        owner=company.owner,
        opened_by="director" if company.nature in {"government", "special"} else opened_for,
        first_owner=opened_for,
        data=data,
        grade=company.grade,
        contacts=contacts,
        interactions=_interactions(company, rng, today, contacts, opened_for, co_owners),
        co_owners=co_owners,
        edits=[e for e in CARD_EDITS if e.short == company.short],
        contact_edits=[e for e in CONTACT_EDITS if e.short == company.short],
        status=STATUSES.get(company.short, "draft"),
        return_comment=RETURN_COMMENTS.get(company.short, ""),
        rework=REWORK.get(company.short),
        change_requests=[r for r in CHANGE_REQUESTS if r.short == company.short],
        attachments=[a for a in ATTACHMENTS if a.short == company.short],
        deletion=next((d for d in DELETIONS if d.short == company.short), None),
    )


def _business_scope(company: Company) -> str:
    if company.kind in {"gov", "inst"}:
        return f"{company.industry}；辖区内相关设施的建设、运行和维护管理。"
    if company.channel != "end_user":
        return "销售：泵、阀门、电机、变频器、五金交电、机电设备及配件；机电设备安装、维修及技术咨询服务。"
    return f"{company.industry}；相关产品的研发、生产、销售；货物及技术进出口（依法须经批准的项目除外）。"


def _texts(company: Company, rng: random.Random, fill: dict, data: dict) -> dict:
    """The characteristics, business status and trading status, filled in as the salesperson would."""
    chance = {"key": 1.0, "general": 0.75, "sporadic": 0.35}[company.tier]
    if company.kind == "person" or rng.random() >= chance:
        return {}
    fill = {**fill, "spend": rng.choice((30, 50, 80, 120, 200, 350)), "units": rng.randint(8, 60)}

    def pick(pool) -> str:
        return rng.choice(pool).format(**fill)

    side = "end_user" if company.channel == "end_user" else "intermediary"
    texts = {
        "service_area": pick(SERVICE_AREA[side]),
        "sales_capability": pick(SALES_CAPABILITY[side]),
        "development_potential": pick(TEXTS["development_potential"]),
        "business_philosophy": pick(TEXTS["business_philosophy"]),
        "management_style": (
            "机关事业单位，采购须走政府采购程序，审批环节多、周期长。"
            if company.kind in {"gov", "inst"}
            else pick(TEXTS["management_style"])
        ),
    }
    if data.get("employees"):
        capital = data.get("registered_capital")
        texts["business_scale"] = f"员工约 {data['employees']} 人" + (
            f"，注册资本 {capital / 10_000:.0f} 万元。" if capital else "。"
        )
    if company.lifecycle == "potential":
        texts["future_plans"] = pick(POTENTIAL_PLANS)
        texts["competing_products"] = pick(TEXTS["competing_products"])
        return texts
    for name in (
        "sales_performance",
        "staff_quality",
        "competitor_relations",
        "cooperation_attitude",
        "competing_products",
        "trading_strengths",
        "reputation",
        "credit_standing",
        "trading_terms",
    ):
        texts[name] = pick(TEXTS[name])
    if company.lifecycle == "past":
        texts["trading_problems"] = pick(LAPSED_PROBLEMS)
        texts["past_credit_issues"] = rng.choice(PAST_CREDIT_ISSUES).format(
            year=rng.randint(2021, 2024), amount=rng.randint(5, 60)
        )
    else:
        texts["trading_problems"] = pick(TEXTS["trading_problems"])
        texts["future_plans"] = pick(TEXTS["future_plans"])
    return texts


def _contacts(company: Company, rng: random.Random, city: City, key: bool, founded: int) -> list[dict]:
    """One to four people on the customer's side; the key ones with a personal profile."""
    taken: set[str] = set()
    if company.kind == "person":
        return [
            {
                "name": company.name,
                "gender": "m",
                **_role_fields(PERSON_ROLE),
                "is_key_person": True,
                "mobile": _mobile(rng),
                **_profile(rng, "", founded),
            }
        ]
    if company.short in SINGLE_CONTACT:
        count = 1
    elif key:
        count = rng.randint(2, 4)
    else:
        count = rng.randint(1, {"general": 3, "sporadic": 2}[company.tier])
    staff_pool = STAFF_ROLES[
        "public" if company.kind in {"gov", "inst"} else "end_user" if company.channel == "end_user" else "intermediary"
    ]
    chosen: list[Role] = []
    # A lone contact is the one the salesperson actually deals with, not the boss (except in a small shop).
    if count > 1 or company.kind in {"ib", "coop"}:
        chosen.append(rng.choice(EXECUTIVE_ROLES[company.kind]))
    chosen += rng.sample(staff_pool, count - len(chosen))

    contacts = []
    for role in chosen:
        name, pinyin, gender = _person(rng, taken)
        is_key = role.level == "executive" or (key and role.level == "management")
        contact = {
            "name": name,
            "gender": gender,
            **_role_fields(role),
            "is_key_person": is_key,
            "phone": _phone(rng, city) + (f" 转 {rng.randint(800, 899)}" if rng.random() < 0.5 else ""),
            "mobile": _mobile(rng),
        }
        if company.domain and rng.random() < 0.6:
            contact["email"] = f"{pinyin}@{company.domain}"
        if is_key:
            contact.update(_profile(rng, company.short, founded))
        contacts.append(contact)
    return contacts


def _role_fields(role: Role) -> dict:
    return {
        "title": role.title,
        "department": role.department,
        "department_role": role.department_role,
        "level": role.level,
    }


def _profile(rng: random.Random, employer: str, founded: int) -> dict:
    """A key person's profile (in the spirit of the Mackay 66)."""
    birth_year = rng.randint(1966, 1992)
    graduated = birth_year + rng.randint(21, 24)
    joined = min(max(graduated + rng.randint(3, 15), founded), 2024)
    later = f"{joined} 年加入{employer}。" if employer else f"{joined} 年起自己经营。"
    return {
        "birthday": datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
        "education": rng.choice(EDUCATION),
        "personality": rng.choice(PERSONALITY),
        "hobbies": rng.choice(HOBBIES),
        "family": rng.choice(FAMILY),
        "background": (
            f"{graduated} 年毕业于{rng.choice(SCHOOLS)}{rng.choice(MAJORS)}专业，{rng.choice(CAREERS)}，{later}"
        ),
    }


def _interactions(
    company: Company,
    rng: random.Random,
    today: datetime.date,
    contacts: list[dict],
    owner: str,
    co_owners: tuple[str, ...],
) -> list[InteractionPlan]:
    """Two to six contacts with the customer over the last eighteen months."""
    if company.lifecycle == "potential":
        templates, count, window = PROSPECT_TEMPLATES, rng.randint(2, 3), (0, 180)
    elif company.lifecycle == "past":
        templates, count, window = LAPSED_TEMPLATES, rng.randint(2, 4), (270, 540)
    else:
        count = rng.randint(4, 6) if company.tier == "key" else rng.randint(2, 5)
        templates, window = CURRENT_TEMPLATES, (0, 540)
    days = sorted(rng.sample(range(*window), count), reverse=True)
    plans = []
    for i, (ago, template) in enumerate(zip(days, rng.sample(templates, count), strict=True)):
        people = rng.sample(contacts, min(len(contacts), rng.choice((1, 1, 2))))
        their_people = "、".join(f"{c['name']}（{c['title']}）" for c in people)
        occurred_on = _days_ago(today, ago)
        values = {
            "person": their_people.split("、")[0],
            "product": rng.choice(PRODUCTS),
            "short": company.short,
            "qty": rng.randint(2, 20),
            "amount": rng.randint(3, 80),
            "day": rng.randint(5, 28),
        }
        data = {
            "kind": template.kind,
            "occurred_on": occurred_on,
            "their_people": their_people,
            "subject": template.subject,
            "content": template.content.format(**values),
            "next_step": template.next_step,
        }
        if template.next_step:
            data["next_step_on"] = occurred_on + datetime.timedelta(days=rng.randint(3, 30))
        # On a shared customer every other contact is made by the co-manager.
        staff = co_owners[0] if co_owners and i % 2 else owner
        plans.append(InteractionPlan(staff=staff, data=data))
    return plans
