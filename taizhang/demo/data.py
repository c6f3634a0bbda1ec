"""The source case of PRODUCT.md as data: the org tree, people, logins, the 2020 campaign,
its projects and 1+N pairings. `loader.py` feeds this through the services.

Every person here is invented; names, staff numbers and figures are illustrative. The
projects retell the 2020 trade-press report on the Party branch of 中稀(四川)稀土有限公司.

Records refer to each other by key (org key, staff number), never by database id, so the
module is plain data that imports nothing but choice constants.
"""

import datetime as dt
from dataclasses import dataclass, field

from taizhang.campaigns.models import Direction, MeasureStatus, ParticipantRole, ProjectStatus
from taizhang.orgs.models import OrgKind, PoliticalStatus, Role

M = PoliticalStatus.MEMBER
P = PoliticalStatus.PROBATIONARY
L = PoliticalStatus.LEAGUE
Q = PoliticalStatus.MASSES

CX = "创效"  # short name of 党组织带党员创效
CN = "创新"  # short name of 党员带群众创新


def d(month: int, day: int) -> dt.date:
    """A date in 2020, the campaign year."""
    return dt.date(2020, month, day)


# --------------------------------------------------------------------------- orgs


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    short_name: str
    kind: str
    code: str
    parent: str | None = None


GROUP = "group"
SECTOR = "sector"
COMPANY_SC = "company_sc"
BRANCH_SC = "branch_sc"
YINFENG = "yinfeng"
COMPANY_LS = "company_ls"
BRANCH_LS = "branch_ls"

ROOT_ORG_NAME = "中国铝业集团有限公司"

# Parents come before children: the loader creates them in this order.
ORGS: list[OrgSpec] = [
    OrgSpec(GROUP, ROOT_ORG_NAME, "中国铝业", OrgKind.GROUP, "ZGLY"),
    OrgSpec(SECTOR, "中国稀有稀土股份有限公司", "中国稀有稀土", OrgKind.SECTOR, "ZXXT", GROUP),
    OrgSpec(COMPANY_SC, "中稀(四川)稀土有限公司", "中稀四川", OrgKind.COMPANY, "ZXSC", SECTOR),
    OrgSpec(
        BRANCH_SC,
        "中稀(四川)稀土有限公司党支部",
        "中稀四川党支部",
        OrgKind.BRANCH,
        "ZXSC-DZB",
        COMPANY_SC,
    ),
    # The mine's staff form a Party small group (党小组) *under* the branch rather than a
    # company beside it: a grant covers an org's subtree only, and the source case has the
    # Sichuan branch running the 银峰 projects, so its secretary must see the mine's people.
    OrgSpec(YINFENG, "银峰矿业党小组", "银峰矿业", OrgKind.OTHER, "ZXSC-YF", BRANCH_SC),
    # The sibling company: its branch files into the same campaign and must not see the
    # Sichuan branch's ledger (a branch never sees another branch's data).
    OrgSpec(COMPANY_LS, "中稀(凉山)稀土有限公司", "中稀凉山", OrgKind.COMPANY, "ZXLS", SECTOR),
    OrgSpec(
        BRANCH_LS,
        "中稀(凉山)稀土有限公司党支部",
        "中稀凉山党支部",
        OrgKind.BRANCH,
        "ZXLS-DZB",
        COMPANY_LS,
    ),
]


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class PersonSpec:
    staff_no: str
    name: str
    org: str
    status: str
    position: str


PEOPLE: list[PersonSpec] = [
    # The sector's Party committee: its office (the read-only `committee` login) and the
    # deputy secretary who runs the campaign for it (the `sector` org-admin login).
    PersonSpec("ZXXT-0001", "高振华", SECTOR, M, "党委工作部主任"),
    PersonSpec("ZXXT-0002", "严国平", SECTOR, M, "党委副书记"),
    # 中稀(四川) — the branch that ran the campaign in the source case.
    PersonSpec("ZXSC-0001", "林晓雯", BRANCH_SC, M, "党支部书记、副总经理"),
    PersonSpec("ZXSC-0002", "周建川", BRANCH_SC, M, "总经理"),
    PersonSpec("ZXSC-0003", "何志远", BRANCH_SC, M, "销售经理"),
    PersonSpec("ZXSC-0004", "苏梅", BRANCH_SC, M, "财务部长"),
    PersonSpec("ZXSC-0005", "罗成刚", BRANCH_SC, M, "安全环保主管"),
    PersonSpec("ZXSC-0006", "杨帆", BRANCH_SC, M, "综合办公室主任、党务干事"),
    PersonSpec("ZXSC-0007", "唐宇航", BRANCH_SC, P, "技术员"),
    PersonSpec("ZXSC-0008", "陈思琪", BRANCH_SC, L, "贸易业务员"),
    PersonSpec("ZXSC-0009", "刘德明", BRANCH_SC, Q, "司机"),
    PersonSpec("ZXSC-0010", "黄俊", BRANCH_SC, Q, "采购员"),
    PersonSpec("ZXSC-0011", "谢婷", BRANCH_SC, L, "出纳"),
    PersonSpec("ZXSC-0012", "邓凯", BRANCH_SC, Q, "质检员"),
    PersonSpec("ZXSC-0013", "曾雪", BRANCH_SC, Q, "行政专员"),
    PersonSpec("ZXSC-0014", "袁磊", BRANCH_SC, L, "销售内勤"),
    PersonSpec("ZXSC-0015", "蒋文华", BRANCH_SC, Q, "仓库管理员"),
    PersonSpec("ZXSC-0016", "潘海涛", BRANCH_SC, Q, "投资管理专员"),
    # 银峰矿业, the high-altitude mine and its power station.
    PersonSpec("ZXSC-0101", "马国栋", YINFENG, M, "矿长"),
    PersonSpec("ZXSC-0102", "胡永强", YINFENG, M, "副矿长、安全员"),
    PersonSpec("ZXSC-0103", "孙立", YINFENG, P, "采矿技术员"),
    PersonSpec("ZXSC-0104", "李明川", YINFENG, Q, "司机"),
    PersonSpec("ZXSC-0105", "吴小军", YINFENG, Q, "机修工"),
    PersonSpec("ZXSC-0106", "赵春花", YINFENG, Q, "后勤炊事员"),
    PersonSpec("ZXSC-0107", "钱勇", YINFENG, L, "电站值班员"),
    PersonSpec("ZXSC-0108", "韩桂兰", YINFENG, Q, "物资保管员"),
    PersonSpec("ZXSC-0109", "石磊", YINFENG, Q, "设备操作工"),
    # 中稀(凉山) — the sibling company's branch.
    PersonSpec("ZXLS-0001", "郑海燕", BRANCH_LS, M, "党支部书记"),
    PersonSpec("ZXLS-0002", "董立新", BRANCH_LS, M, "总经理"),
    PersonSpec("ZXLS-0003", "彭博", BRANCH_LS, P, "生产部长"),
    PersonSpec("ZXLS-0004", "田晓东", BRANCH_LS, M, "技术员"),
    PersonSpec("ZXLS-0005", "魏芳", BRANCH_LS, L, "化验员"),
    PersonSpec("ZXLS-0006", "许飞", BRANCH_LS, Q, "司机"),
    PersonSpec("ZXLS-0007", "卢强", BRANCH_LS, Q, "萃取操作工"),
    PersonSpec("ZXLS-0008", "吉克阿依", BRANCH_LS, Q, "安全员"),
    PersonSpec("ZXLS-0009", "范琳", BRANCH_LS, Q, "会计"),
    PersonSpec("ZXLS-0010", "沙马伍呷", BRANCH_LS, Q, "设备维修工"),
]


# --------------------------------------------------------------------------- logins


@dataclass(frozen=True)
class LoginSpec:
    username: str
    display_name: str
    person: str | None = None  # staff number of the login's Person
    org: str | None = None  # where the role is granted; None for the system admin
    role: str | None = None


SYSADMIN = "admin"

LOGINS: list[LoginSpec] = [
    LoginSpec(SYSADMIN, "系统管理员"),
    LoginSpec("secretary", "林晓雯", "ZXSC-0001", BRANCH_SC, Role.ORG_ADMIN),
    LoginSpec("lead", "何志远", "ZXSC-0003", BRANCH_SC, Role.PROJECT_LEAD),
    LoginSpec("member", "陈思琪", "ZXSC-0008", BRANCH_SC, Role.PARTICIPANT),
    LoginSpec("committee", "高振华", "ZXXT-0001", SECTOR, Role.VIEWER),
    LoginSpec("secretary2", "郑海燕", "ZXLS-0001", BRANCH_LS, Role.ORG_ADMIN),
    # The sector's Party committee owns the campaign: it launches it, sets the scoring
    # scheme, inspects, and publishes the results. `committee` stays read-only.
    LoginSpec("sector", "严国平", "ZXXT-0002", SECTOR, Role.ORG_ADMIN),
    # The finance head verifies (核定) benefit claims; she also leads ZX-2020-05, and a lead
    # writes her project's reports whatever her role.
    LoginSpec("finance", "苏梅", "ZXSC-0004", BRANCH_SC, Role.VERIFIER),
    # The other project leads, so each project's reports are written by its own lead. The
    # mine's leads hold the right on the branch: their projects draw on the branch's people.
    LoginSpec("maguodong", "马国栋", "ZXSC-0101", BRANCH_SC, Role.PROJECT_LEAD),
    LoginSpec("zhoujianchuan", "周建川", "ZXSC-0002", BRANCH_SC, Role.PROJECT_LEAD),
    LoginSpec("luochenggang", "罗成刚", "ZXSC-0005", BRANCH_SC, Role.PROJECT_LEAD),
    LoginSpec("yangfan", "杨帆", "ZXSC-0006", BRANCH_SC, Role.PROJECT_LEAD),
    LoginSpec("huyongqiang", "胡永强", "ZXSC-0102", BRANCH_SC, Role.PROJECT_LEAD),
    LoginSpec("tianxiaodong", "田晓东", "ZXLS-0004", BRANCH_LS, Role.PROJECT_LEAD),
]

SECTOR_ADMIN = "sector"
VERIFIER = "finance"

DEMO_USERNAMES = [login.username for login in LOGINS]


# --------------------------------------------------------------------------- campaign

# Owned by the sector (中国稀有稀土), not by the Sichuan branch: a project must belong to an org
# inside its campaign's subtree, and the sibling branch files into the same campaign so that
# the sector can compare the two branches. The branches still "own" their part (党支部负责):
# each branch secretary approves and runs the projects of her branch.
CAMPAIGN_ORG = SECTOR
CAMPAIGN_NAME = "2020年“两带两创”活动"
CAMPAIGN_YEAR = 2020
CAMPAIGN_START = d(1, 1)
CAMPAIGN_END = d(12, 31)
CAMPAIGN_DESCRIPTION = (
    "落实“党支部负责、党员带头、群众参与”三级联动：各党支部围绕资源整合、生产经营、贸易营销、"
    "提质增效、党建工作和安全环保等中心工作选题立项、制定方案、建立台账，由党员牵头、群众参与；"
    "党委定期检查，结果纳入党建工作考核，年底开展项目推进的分析和总结。"
)


# --------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class GoalSpec:
    name: str
    unit: str
    baseline: str
    target: str
    direction: str = Direction.HIGHER
    weight: str = "1"


@dataclass(frozen=True)
class MeasureSpec:
    description: str
    owner: str  # staff number
    start: dt.date
    due: dt.date
    # Where the measure stood in late November 2020, when the demo "is".
    status: str = MeasureStatus.NOT_STARTED
    percent: int = 0


@dataclass(frozen=True)
class ParticipantSpec:
    person: str  # staff number
    role: str
    duty: str


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    title: str
    org: str
    type_short: str
    area: str
    lead: str  # staff number; must be a Party member, as the service enforces
    start: dt.date
    end: dt.date
    status: str
    rationale: str
    plan: str
    goals: list[GoalSpec]
    measures: list[MeasureSpec]
    participants: list[ParticipantSpec] = field(default_factory=list)
    approve_reason: str = "经支委会研究，同意立项。"
    # When set, the project is first returned with this reason, then resubmitted.
    return_reason: str = ""
    complete_reason: str = ""


# Lifecycle reasons are ledger data written as the demo users would have typed them, so they
# stay Chinese whatever language the command runs in.
SUBMIT_REASON = "提交立项申报。"
RESUBMIT_REASON = "已按意见修改，重新申报。"
START_REASON = "立项后启动实施。"

DONE = MeasureStatus.DONE
DOING = MeasureStatus.IN_PROGRESS
LATE = MeasureStatus.DELAYED
CORE = ParticipantRole.CORE
MEMBER = ParticipantRole.MEMBER
ADVISOR = ParticipantRole.ADVISOR
LIAISON = ParticipantRole.LIAISON
LOWER = Direction.LOWER

PROJECTS: list[ProjectSpec] = [
    ProjectSpec(
        code="ZX-2020-01",
        title="稀土贸易创效，确保完成年度目标利润",
        org=BRANCH_SC,
        type_short=CX,
        area="贸易营销",
        lead="ZXSC-0003",
        start=d(1, 1),
        end=d(12, 31),
        status=ProjectStatus.IN_PROGRESS,
        rationale=(
            "受疫情影响，公司上半年稀土产品销售受阻，完成年度目标利润压力很大。公司具备稀土贸易渠道"
            "和兄弟单位协同的优势，可通过拓展稀土贸易，特别是与兄弟单位新开展独居石采购加工贸易，"
            "弥补主业利润缺口。"
        ),
        plan=(
            "一、目标：全年实现贸易利润500万元，其中新开展独居石采购加工贸易不少于300吨。\n"
            "二、组织：成立由销售经理牵头的贸易攻坚小组，党员带头、业务骨干参与。\n"
            "三、步骤：1—3月梳理客户和货源；4—6月与兄弟单位签订独居石采购加工协议并首批到货；"
            "7—12月滚动执行，按季度复盘利润。\n"
            "四、保障：财务部全程把关资金和风险，执行款到发货，建立贸易风险台账。"
        ),
        goals=[
            GoalSpec("贸易目标利润", "万元", "0", "500", weight="0.6"),
            GoalSpec("独居石采购量", "吨", "0", "300", weight="0.4"),
        ],
        measures=[
            MeasureSpec(
                "与兄弟单位洽谈独居石采购加工合作，签订年度协议",
                "ZXSC-0003",
                d(3, 1),
                d(6, 30),
                DONE,
                100,
            ),
            MeasureSpec(
                "组织独居石分批采购、委托加工和产品销售",
                "ZXSC-0010",
                d(6, 1),
                d(12, 20),
                DOING,
                70,
            ),
            MeasureSpec(
                "稀土氧化物常规贸易：走访重点客户，按月排产排销",
                "ZXSC-0008",
                d(1, 15),
                d(12, 31),
                DOING,
                80,
            ),
            MeasureSpec(
                "建立贸易风险台账，执行款到发货和合同评审",
                "ZXSC-0004",
                d(2, 1),
                d(4, 30),
                DONE,
                100,
            ),
            MeasureSpec(
                "按季度复盘贸易利润，动态调整购销节奏",
                "ZXSC-0003",
                d(3, 31),
                d(12, 31),
                DOING,
                75,
            ),
        ],
        participants=[
            ParticipantSpec("ZXSC-0008", CORE, "稀土氧化物常规贸易执行"),
            ParticipantSpec("ZXSC-0010", CORE, "独居石采购与物流"),
            ParticipantSpec("ZXSC-0014", MEMBER, "合同与发货内勤"),
            ParticipantSpec("ZXSC-0004", ADVISOR, "资金与风险把关"),
            ParticipantSpec("ZXSC-0011", MEMBER, "货款收付"),
        ],
    ),
    ProjectSpec(
        code="ZX-2020-02",
        title="银峰矿业高海拔矿山低成本运行、不发生经营亏损",
        org=YINFENG,
        type_short=CN,
        area="提质增效",
        lead="ZXSC-0101",
        start=d(1, 1),
        end=d(12, 31),
        status=ProjectStatus.IN_PROGRESS,
        rationale=(
            "银峰矿业地处高海拔山区，冬季漫长、运输困难，矿山处于保护性运行状态，2019年经营亏损约"
            "120万元。需要从日常管理、财务、贸易、党务、技术服务、车辆租赁等方面挖潜，实现低成本"
            "运行、不亏损。"
        ),
        plan=(
            "一、目标：全年经营亏损降至0，月均管理费用由18万元降至12万元。\n"
            "二、措施：日常管理、财务、贸易、党务、技术服务、车辆租赁六条线同步推进，每条线明确"
            "一名责任人。\n"
            "三、考核：按月核算成本，党小组每月通报进度，季度向党支部汇报。"
        ),
        goals=[
            GoalSpec("经营亏损", "万元", "120", "0", LOWER, "0.7"),
            GoalSpec("月均管理费用", "万元", "18", "12", LOWER, "0.3"),
        ],
        measures=[
            MeasureSpec(
                "日常管理：精简驻矿人员，实行轮班值守", "ZXSC-0102", d(1, 10), d(3, 31), DONE, 100
            ),
            MeasureSpec(
                "财务：实行费用预算包干，按月做成本分析",
                "ZXSC-0004",
                d(1, 10),
                d(12, 31),
                DOING,
                80,
            ),
            MeasureSpec(
                "贸易：择机销售库存矿产品，盘活存量", "ZXSC-0003", d(4, 1), d(12, 31), DOING, 60
            ),
            MeasureSpec(
                "党务：党小组活动与生产例会同步开展，党员带头承包降本项目",
                "ZXSC-0101",
                d(2, 1),
                d(12, 31),
                DOING,
                80,
            ),
            MeasureSpec(
                "技术服务：为周边矿山提供采矿技术服务，增加收入",
                "ZXSC-0103",
                d(5, 1),
                d(12, 31),
                DOING,
                50,
            ),
            MeasureSpec("车辆租赁：闲置车辆对外租赁", "ZXSC-0104", d(3, 1), d(6, 30), DONE, 100),
        ],
        participants=[
            ParticipantSpec("ZXSC-0102", CORE, "日常管理"),
            ParticipantSpec("ZXSC-0103", CORE, "技术服务"),
            ParticipantSpec("ZXSC-0104", MEMBER, "车辆租赁"),
            ParticipantSpec("ZXSC-0105", MEMBER, "设备维护"),
            ParticipantSpec("ZXSC-0106", MEMBER, "后勤保障"),
            ParticipantSpec("ZXSC-0109", MEMBER, "生产操作"),
        ],
    ),
    ProjectSpec(
        code="ZX-2020-03",
        title="与凉山州德昌县、冕宁县开展轻稀土资源整合",
        org=BRANCH_SC,
        type_short=CX,
        area="资源整合",
        lead="ZXSC-0002",
        start=d(2, 1),
        end=d(12, 31),
        status=ProjectStatus.IN_PROGRESS,
        rationale=(
            "凉山州是重要的轻稀土资源基地，德昌、冕宁两县资源分散、开发秩序有待规范。按照上级稀土"
            "资源整合部署，公司主动对接地方政府，推进轻稀土资源整合，为企业长远发展储备资源。"
        ),
        plan=(
            "一、目标：年内形成德昌县、冕宁县两个资源整合工作方案并报批，签订两份合作框架协议。\n"
            "二、分工：总经理牵头对接两县政府，投资管理专员负责资料收集与测算，书记把关政策。\n"
            "三、节点：4月底前完成资料收集；9月底前完成德昌县方案；11月底前完成冕宁县框架协议；"
            "12月配合上级完成报批。"
        ),
        goals=[
            GoalSpec("资源整合工作方案报批", "项", "0", "2", weight="0.5"),
            GoalSpec("签订合作框架协议", "份", "0", "2", weight="0.5"),
        ],
        measures=[
            MeasureSpec(
                "收集整理两县轻稀土资源与矿权资料", "ZXSC-0016", d(2, 1), d(4, 30), DONE, 100
            ),
            MeasureSpec(
                "与德昌县政府对接，形成资源整合初步方案", "ZXSC-0002", d(4, 1), d(9, 30), DONE, 100
            ),
            MeasureSpec(
                "与冕宁县政府对接，推进合作框架协议", "ZXSC-0002", d(5, 1), d(11, 30), LATE, 40
            ),
            MeasureSpec("配合上级完成整合方案报批", "ZXSC-0001", d(9, 1), d(12, 31), DOING, 30),
        ],
        participants=[
            ParticipantSpec("ZXSC-0016", CORE, "资料收集与效益测算"),
            ParticipantSpec("ZXSC-0001", ADVISOR, "政策把关"),
            ParticipantSpec("ZXSC-0013", LIAISON, "与地方政府联络"),
        ],
        return_reason="请明确与德昌县、冕宁县对接的时间节点和责任分工后重新申报。",
    ),
    ProjectSpec(
        code="ZX-2020-04",
        title="矿山及电站生态修复与安全隐患治理",
        org=BRANCH_SC,
        type_short=CN,
        area="安全环保",
        lead="ZXSC-0005",
        start=d(3, 1),
        end=d(12, 31),
        status=ProjectStatus.IN_PROGRESS,
        rationale=(
            "银峰矿区历史遗留的废石堆场和电站引水渠存在水土流失和安全隐患，环保检查提出了整改要求。"
            "以党员带头、群众参与的方式开展生态修复和隐患治理，守住安全环保底线。"
        ),
        plan=(
            "一、目标：完成生态修复30亩，排查出的安全隐患全部整改销号。\n"
            "二、步骤：4月中旬前完成隐患排查并建立清单；10月底前完成废石堆场边坡治理和复绿；"
            "11月底前完成电站引水渠和压力前池加固；全年穿插开展培训和演练。\n"
            "三、要求：每项隐患明确责任人和整改时限，整改完成后拍照留证、逐项销号。"
        ),
        goals=[
            GoalSpec("生态修复面积", "亩", "0", "30", weight="0.5"),
            GoalSpec("安全隐患整改完成率", "%", "0", "100", weight="0.5"),
        ],
        measures=[
            MeasureSpec(
                "排查矿山、电站安全隐患并建立隐患清单", "ZXSC-0005", d(3, 1), d(4, 15), DONE, 100
            ),
            MeasureSpec("废石堆场边坡治理和复绿", "ZXSC-0102", d(4, 15), d(10, 31), DONE, 100),
            MeasureSpec("电站引水渠和压力前池加固", "ZXSC-0107", d(5, 1), d(11, 30), DOING, 85),
            MeasureSpec("开展安全环保培训和应急演练", "ZXSC-0012", d(6, 1), d(12, 15), DOING, 70),
        ],
        participants=[
            ParticipantSpec("ZXSC-0102", CORE, "矿区现场治理"),
            ParticipantSpec("ZXSC-0107", CORE, "电站隐患整改"),
            ParticipantSpec("ZXSC-0012", MEMBER, "培训组织"),
            ParticipantSpec("ZXSC-0109", MEMBER, "现场施工"),
        ],
    ),
    ProjectSpec(
        code="ZX-2020-05",
        title="加强投资企业监管，保障依法合规生产和投资收益",
        org=BRANCH_SC,
        type_short=CX,
        area="生产经营",
        lead="ZXSC-0004",
        start=d(1, 1),
        end=d(12, 31),
        status=ProjectStatus.IN_PROGRESS,
        rationale=(
            "公司参股的投资企业多、分布散，存在合规生产、安全环保和经营风险。通过制定监管清单、"
            "定期现场检查和财务风险预警，确保投资企业依法合规生产，保障投资收益。"
        ),
        plan=(
            "一、目标：全年实现投资收益80万元，投资企业不发生重大风险事件。\n"
            "二、措施：一季度制定监管清单；每季度赴投资企业现场检查合规生产、安全环保和风险防控；"
            "每月分析投资企业财务报表，发现异常及时预警。\n"
            "三、报告：检查结果每季度向党支部和公司经理层报告。"
        ),
        goals=[
            GoalSpec("投资收益", "万元", "0", "80", weight="0.5"),
            GoalSpec("投资企业重大风险事件", "起", "1", "0", LOWER, "0.5"),
        ],
        measures=[
            MeasureSpec(
                "制定投资企业监管清单，明确合规生产、安全环保、风险防控检查要点",
                "ZXSC-0016",
                d(1, 15),
                d(3, 31),
                DONE,
                100,
            ),
            MeasureSpec("每季度赴投资企业现场检查", "ZXSC-0005", d(3, 1), d(12, 31), DOING, 75),
            MeasureSpec(
                "按月分析投资企业财务报表，开展风险预警", "ZXSC-0004", d(2, 1), d(12, 31), DOING, 80
            ),
        ],
        participants=[
            ParticipantSpec("ZXSC-0016", CORE, "监管台账"),
            ParticipantSpec("ZXSC-0005", MEMBER, "安全环保检查"),
            ParticipantSpec("ZXSC-0015", MEMBER, "资料归档"),
        ],
    ),
    ProjectSpec(
        code="ZX-2020-06",
        title="疫情期间职工防疫物资保障",
        org=BRANCH_SC,
        type_short=CN,
        area="党建工作",
        lead="ZXSC-0006",
        start=d(1, 25),
        end=d(12, 31),
        status=ProjectStatus.IN_PROGRESS,
        rationale=(
            "新冠肺炎疫情发生后，口罩、消毒液等防疫物资紧缺，驻矿和一线职工防护压力大。党员带头"
            "多方筹措物资，保障职工安全复工复产，疫情常态化后继续做好物资储备。"
        ),
        plan=(
            "一、目标：防疫物资覆盖全体职工，累计筹措口罩5000只。\n"
            "二、措施：党员带头多渠道筹措物资；安排专人专车向银峰矿业等一线点位配送；"
            "建立防疫物资台账，按周盘点补充。"
        ),
        goals=[
            GoalSpec("防疫物资覆盖职工比例", "%", "0", "100", weight="0.6"),
            GoalSpec("累计筹措口罩", "只", "0", "5000", weight="0.4"),
        ],
        measures=[
            MeasureSpec(
                "党员带头多渠道筹措口罩、消毒液、体温计", "ZXSC-0006", d(1, 25), d(2, 29), DONE, 100
            ),
            MeasureSpec(
                "向银峰矿业等一线点位配送防疫物资", "ZXSC-0009", d(2, 1), d(3, 15), DONE, 100
            ),
            MeasureSpec(
                "建立防疫物资台账，按周盘点补充", "ZXSC-0013", d(2, 15), d(12, 31), DOING, 85
            ),
        ],
        participants=[
            ParticipantSpec("ZXSC-0013", CORE, "物资台账"),
            ParticipantSpec("ZXSC-0009", MEMBER, "物资配送"),
            ParticipantSpec("ZXSC-0008", MEMBER, "志愿服务"),
            ParticipantSpec("ZXSC-0011", MEMBER, "采购报销"),
        ],
    ),
    ProjectSpec(
        code="ZX-2020-07",
        title="“七一”礼州红军广场主题党日活动",
        org=BRANCH_SC,
        type_short=CN,
        area="党建工作",
        lead="ZXSC-0001",
        start=d(6, 10),
        end=d(7, 10),
        status=ProjectStatus.COMPLETED,
        rationale=(
            "庆祝中国共产党成立99周年，利用礼州红军广场的红色资源开展主题党日，重温入党誓词，"
            "激发党员干事创业热情，并邀请入党积极分子和群众参加。"
        ),
        plan=(
            "一、时间地点：7月1日，礼州红军广场。\n"
            "二、内容：参观红军长征遗址、重温入党誓词、书记讲专题党课、党员群众座谈。\n"
            "三、保障：综合办公室负责方案和车辆，宣传报道在公司内刊发布。"
        ),
        goals=[GoalSpec("参加活动党员和群众", "人", "0", "30")],
        measures=[
            MeasureSpec("制定主题党日活动方案", "ZXSC-0006", d(6, 10), d(6, 20), DONE, 100),
            MeasureSpec(
                "组织党员群众赴礼州红军广场重温入党誓词、讲专题党课",
                "ZXSC-0001",
                d(7, 1),
                d(7, 1),
                DONE,
                100,
            ),
            MeasureSpec("撰写活动总结并在公司内宣传", "ZXSC-0014", d(7, 2), d(7, 10), DONE, 100),
        ],
        participants=[
            ParticipantSpec("ZXSC-0006", CORE, "活动组织"),
            ParticipantSpec("ZXSC-0014", MEMBER, "宣传报道"),
            ParticipantSpec("ZXSC-0011", MEMBER, "会务"),
            ParticipantSpec("ZXSC-0009", MEMBER, "车辆保障"),
        ],
        complete_reason="主题党日已于7月1日在礼州红军广场举行，党员和群众共32人参加，活动总结已归档。",
    ),
    ProjectSpec(
        code="ZX-2020-08",
        title="银峰矿区汛期地质灾害应急保障",
        org=YINFENG,
        type_short=CN,
        area="安全环保",
        lead="ZXSC-0102",
        start=d(5, 1),
        end=d(12, 31),
        status=ProjectStatus.IN_PROGRESS,
        rationale=(
            "银峰矿区山高路险，汛期易发滑坡、泥石流，道路中断后人员和物资进出困难。需要提前做好"
            "预案、物资和演练，确保一旦发生险情人员能安全撤离。"
        ),
        plan=(
            "一、目标：汛期开展应急演练2次，险情发生时人员全部安全撤离。\n"
            "二、措施：6月中旬前修订预案、储备物资；汛前开展演练；汛期24小时值守；"
            "汛后排查隐患、抢修道路。"
        ),
        goals=[
            GoalSpec("应急演练", "次", "0", "2", weight="0.3"),
            GoalSpec("险情中人员安全撤离率", "%", "0", "100", weight="0.7"),
        ],
        measures=[
            MeasureSpec(
                "修订汛期应急预案，储备食品、药品、照明等应急物资",
                "ZXSC-0102",
                d(5, 1),
                d(6, 15),
                DONE,
                100,
            ),
            MeasureSpec("开展防汛和地质灾害应急演练", "ZXSC-0103", d(6, 15), d(8, 31), DONE, 100),
            MeasureSpec(
                "9月矿区道路发生山体滑坡，外来专家组被困三天两夜：职工背运物资进山，"
                "并带领专家组安全撤出",
                "ZXSC-0101",
                d(9, 10),
                d(9, 13),
                DONE,
                100,
            ),
            MeasureSpec("汛后隐患排查和道路抢修", "ZXSC-0105", d(9, 14), d(12, 15), DOING, 60),
        ],
        participants=[
            ParticipantSpec("ZXSC-0105", CORE, "道路抢修"),
            ParticipantSpec("ZXSC-0104", MEMBER, "车辆与物资运送"),
            ParticipantSpec("ZXSC-0107", MEMBER, "电站安全值守"),
            ParticipantSpec("ZXSC-0108", MEMBER, "应急物资保管"),
            ParticipantSpec("ZXSC-0101", ADVISOR, "现场指挥"),
        ],
    ),
    ProjectSpec(
        code="ZX-2020-09",
        title="稀土产品线上询价与客户信息管理试点",
        org=BRANCH_SC,
        type_short=CN,
        area="贸易营销",
        lead="ZXSC-0003",
        start=d(11, 16),
        end=d(12, 31),
        status=ProjectStatus.DRAFT,
        rationale=(
            "客户询价仍靠电话和微信，信息分散在个人手中，响应慢、难以复盘。试点线上询价登记和"
            "客户档案，为明年贸易营销打基础。"
        ),
        plan=(
            "一、目标：建档客户40家，询价响应时间由24小时缩短到4小时。\n"
            "二、步骤：12月上旬前梳理客户信息；12月搭建线上询价登记表并试运行。"
        ),
        goals=[
            GoalSpec("建档客户", "家", "0", "40", weight="0.5"),
            GoalSpec("询价响应时间", "小时", "24", "4", LOWER, "0.5"),
        ],
        measures=[
            MeasureSpec("梳理现有客户信息，建立客户档案", "ZXSC-0014", d(11, 16), d(12, 10)),
            MeasureSpec("搭建线上询价登记表并试运行", "ZXSC-0008", d(12, 1), d(12, 31)),
        ],
        participants=[
            ParticipantSpec("ZXSC-0014", CORE, "客户档案"),
            ParticipantSpec("ZXSC-0008", MEMBER, "询价登记试运行"),
        ],
    ),
    ProjectSpec(
        code="LS-2020-01",
        title="冶炼分离生产线节能降耗",
        org=BRANCH_LS,
        type_short=CX,
        area="生产经营",
        lead="ZXLS-0004",
        start=d(3, 1),
        end=d(12, 31),
        status=ProjectStatus.IN_PROGRESS,
        rationale="冶炼分离生产线能耗偏高，萃取槽散热和余热浪费明显，节能降耗空间较大。",
        plan=(
            "一、目标：全年降本增效150万元，吨产品综合能耗由1.8吨标煤降至1.6吨标煤。\n"
            "二、措施：能耗诊断、萃取槽保温改造和余热回收、班组能耗日统计。"
        ),
        goals=[
            GoalSpec("降本增效", "万元", "0", "150", weight="0.6"),
            GoalSpec("吨产品综合能耗", "吨标煤", "1.8", "1.6", LOWER, "0.4"),
        ],
        measures=[
            MeasureSpec("开展能耗诊断，找出高耗环节", "ZXLS-0003", d(3, 1), d(4, 30), DONE, 100),
            MeasureSpec("萃取槽保温改造和余热回收", "ZXLS-0007", d(5, 1), d(10, 31), LATE, 80),
            MeasureSpec("推行班组能耗日统计", "ZXLS-0005", d(4, 1), d(12, 31), DOING, 70),
        ],
        participants=[
            ParticipantSpec("ZXLS-0005", CORE, "能耗统计"),
            ParticipantSpec("ZXLS-0007", CORE, "设备改造"),
            ParticipantSpec("ZXLS-0003", ADVISOR, "生产协调"),
            ParticipantSpec("ZXLS-0010", MEMBER, "设备维修"),
        ],
    ),
    ProjectSpec(
        code="LS-2020-02",
        title="党员先锋岗：安全生产“零事故”",
        org=BRANCH_LS,
        type_short=CN,
        area="安全环保",
        lead="ZXLS-0003",
        start=d(11, 1),
        end=d(12, 31),
        status=ProjectStatus.SUBMITTED,
        rationale="去年发生一起轻微安全事故，岗位隐患自查流于形式，需要党员带头把安全责任落到岗位。",
        plan=(
            "一、目标：全年不发生安全生产事故，岗位隐患自查整改率达到100%。\n"
            "二、措施：设立党员先锋岗，党员与群众结对包保岗位安全；每周开展岗位隐患自查。"
        ),
        goals=[
            GoalSpec("安全生产事故", "起", "1", "0", LOWER, "0.6"),
            GoalSpec("岗位隐患自查整改率", "%", "60", "100", weight="0.4"),
        ],
        measures=[
            MeasureSpec(
                "设立党员先锋岗，党员与群众结对包保岗位安全", "ZXLS-0003", d(11, 1), d(11, 30)
            ),
            MeasureSpec("每周开展岗位隐患自查", "ZXLS-0008", d(11, 1), d(12, 31)),
        ],
        participants=[
            ParticipantSpec("ZXLS-0008", CORE, "安全检查"),
            ParticipantSpec("ZXLS-0009", MEMBER, "台账记录"),
        ],
    ),
]


# --------------------------------------------------------------------------- 1+N pairings

# member staff number → the non-member colleagues they lead (4–6 each, as the practice asks).
# Some non-members stay unpaired, so coverage figures have something to show.
PAIRINGS: dict[str, list[str]] = {
    "ZXSC-0003": ["ZXSC-0008", "ZXSC-0010", "ZXSC-0014", "ZXSC-0011"],
    "ZXSC-0005": ["ZXSC-0009", "ZXSC-0012", "ZXSC-0013", "ZXSC-0015", "ZXSC-0016"],
    "ZXSC-0101": ["ZXSC-0104", "ZXSC-0105", "ZXSC-0106", "ZXSC-0107", "ZXSC-0108", "ZXSC-0109"],
    "ZXLS-0004": ["ZXLS-0005", "ZXLS-0006", "ZXLS-0007", "ZXLS-0008"],
}
