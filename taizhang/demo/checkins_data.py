"""The 2020 campaign's check-ins and assessment as data: Q2 and Q3 progress reports, benefit
claims, the sector committee's inspection, and the assessor's manual entries.
`checkins_loader.py` feeds this through the services.

The numbers are chosen so the lights tell the story (checkins.rules: attainment against the
share of the project's time elapsed at the period's end):

- ZX-2020-01 trade profit climbs 230 → 385 of 500 万元: green both quarters;
- ZX-2020-02 银峰's projected loss shrinks 120 → 75 → 32 万元: amber in Q2 (the winter
  shutdown's costs), which the lead overrides to green with a reason; green in Q3;
- ZX-2020-03 德昌/冕宁 integration stalls at one agreement of two and no plan approved: amber
  in Q2, red in Q3, so it lands on the sector's 督办 board;
- LS-2020-01 falls behind when insulation material arrives late: amber in Q3;
- the others stay green.

Special cases the check-ins issue asks for, each exactly once: ZX-2020-08's Q3 report is late
(the September landslide), ZX-2020-04's Q2 report is returned and resubmitted, ZX-2020-01's Q2
claim is verified and its Q3 claim rejected, one inspection has one open and one closed item.

Dates are 2020 office times in Asia/Shanghai; Q2 reports fall due on 10 July, Q3 on 10 October.
"""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from taizhang.campaigns.models import MeasureStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")

DONE = MeasureStatus.DONE
DOING = MeasureStatus.IN_PROGRESS
LATE = MeasureStatus.DELAYED
TODO = MeasureStatus.NOT_STARTED

ACCEPT = "accept"
PENDING = "pending"  # left submitted, awaiting the secretary's review


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An office time in 2020 (Asia/Shanghai)."""
    return dt.datetime(2020, month, day, hour, minute, tzinfo=SHANGHAI)


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class MeasureSpec:
    status: str
    percent: int
    note: str = ""


@dataclass(frozen=True)
class ReturnSpec:
    """The first submission is returned with `comment`; the lead revises and resubmits."""

    first_problems: str  # what the first submission said under 存在问题
    returned_at: dt.datetime
    comment: str
    resubmitted_at: dt.datetime


@dataclass(frozen=True)
class ReportSpec:
    project: str  # project code
    quarter: int
    submitted_at: dt.datetime
    actuals: list[str]  # one per goal, in the project's goal order (cumulative or projected)
    measures: list[MeasureSpec]  # one per measure, in order
    progress: str
    problems: str
    next_steps: str
    review: str = ACCEPT
    reviewed_at: dt.datetime | None = None
    review_comment: str = ""
    evidence: list[str] = field(default_factory=list)  # file names, attached before submitting
    returned: ReturnSpec | None = None
    # (light, reason): the lead's override after submitting.
    override: tuple[str, str] | None = None


REPORTS: list[ReportSpec] = [
    # ----------------------------------------------------------------------- Q2
    ReportSpec(
        project="ZX-2020-01",
        quarter=2,
        submitted_at=at(7, 6, 10, 20),
        actuals=["230", "120"],
        measures=[
            MeasureSpec(DONE, 100, "5月与兄弟单位签订年度协议"),
            MeasureSpec(DOING, 15, "首批120吨到货，进入委托加工"),
            MeasureSpec(DOING, 45),
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 25),
        ],
        progress=(
            "上半年克服疫情对销售的冲击，累计实现稀土贸易利润230万元，完成年度目标的46%。"
            "5月与兄弟单位签订独居石采购加工年度协议，6月首批120吨独居石到货并进入委托加工；"
            "稀土氧化物常规贸易走访重点客户12家，恢复按月排产排销。贸易风险台账已建立，"
            "全部合同执行款到发货。"
        ),
        problems=(
            "一是独居石加工周期较长，首批产品预计8月才能形成销售，利润确认滞后；"
            "二是二季度稀土价格波动较大，部分客户压价、观望情绪明显。"
        ),
        next_steps=(
            "三季度完成首批独居石产品销售并组织第二批采购；紧盯氧化镨钕等主要产品价格，"
            "把握窗口期集中销售；7月底前完成上半年贸易利润复盘。"
        ),
        reviewed_at=at(7, 8, 9, 30),
        review_comment="同意。请抓紧独居石产品销售，及时申报上半年创效成果。",
    ),
    ReportSpec(
        project="ZX-2020-02",
        quarter=2,
        submitted_at=at(7, 7, 16, 10),
        actuals=["75", "15.5"],
        measures=[
            MeasureSpec(DONE, 100, "驻矿人员由18人减至11人"),
            MeasureSpec(DOING, 45),
            MeasureSpec(DOING, 20),
            MeasureSpec(DOING, 45),
            MeasureSpec(DOING, 15),
            MeasureSpec(DONE, 100, "已收租金9.6万元"),
        ],
        progress=(
            "精简驻矿人员，由18人减至11人，实行轮班值守；实行费用预算包干，月均管理费用由"
            "18万元降至15.5万元；3月起将闲置的2台皮卡和1台工具车对外租赁，已收取租金9.6万元。"
            "按全年口径测算，经营亏损预计由上年的120万元降至75万元左右。"
        ),
        problems=(
            "一季度冬季停产保护期间费用集中发生，上半年减亏幅度低于时间进度；"
            "技术服务业务刚起步，尚未形成稳定收入。"
        ),
        next_steps=(
            "三季度抓住生产旺季，择机销售库存矿产品；与周边两家矿山签订采矿技术服务合同；"
            "继续压降电费和运输费用。"
        ),
        reviewed_at=at(7, 9, 11, 0),
        review_comment="同意调整为绿灯。请三季度按测算兑现减亏，下季度报告附成本分析表。",
        override=(
            "green",
            "亏损按全年口径测算：一季度冬季停产保护期费用集中发生，二季度起车辆租赁和技术服务"
            "收入陆续到账，三季度生产旺季还可进一步减亏。经党小组逐项测算，全年可实现不亏损；"
            "计算灯号未反映季节性因素，申请调整为绿灯。",
        ),
    ),
    ReportSpec(
        project="ZX-2020-03",
        quarter=2,
        submitted_at=at(7, 8, 15, 0),
        actuals=["0", "1"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 40, "已与德昌县签订框架协议"),
            MeasureSpec(DOING, 10),
            MeasureSpec(TODO, 0),
        ],
        progress=(
            "已完成德昌县、冕宁县轻稀土资源和矿权资料的收集整理，形成资料汇编。6月与德昌县"
            "政府签订轻稀土资源整合合作框架协议，双方成立联合工作组，开始编制资源整合初步方案。"
            "与冕宁县政府进行了两轮工作对接。"
        ),
        problems=(
            "冕宁县涉及的矿权主体多、历史遗留问题复杂，县里意见尚未统一，框架协议谈判进展缓慢。"
        ),
        next_steps=(
            "三季度完成德昌县资源整合初步方案；提请上级公司出面，与凉山州和冕宁县加强高层沟通，"
            "争取冕宁县框架协议取得突破。"
        ),
        reviewed_at=at(7, 9, 11, 20),
        review_comment="同意。项目亮黄灯，请重点攻坚冕宁县框架协议。",
    ),
    ReportSpec(
        project="ZX-2020-04",
        quarter=2,
        submitted_at=at(7, 3, 17, 30),
        actuals=["8", "55"],
        measures=[
            MeasureSpec(DONE, 100, "排查出隐患20项"),
            MeasureSpec(DOING, 30),
            MeasureSpec(DOING, 20),
            MeasureSpec(DOING, 15),
        ],
        progress=(
            "4月上旬完成矿山、电站安全隐患排查，建立隐患清单，共排查出隐患20项，已整改销号11项，"
            "整改完成率55%。废石堆场边坡治理完成削坡减载，复绿8亩；电站引水渠完成清淤，"
            "压力前池加固方案已确定。6月组织全员安全环保培训1次。"
        ),
        problems=(
            "一是剩余9项隐患中，电站压力前池渗漏等4项需专业队伍施工，受汛期影响只能安排在"
            "枯水期；二是高海拔地区植被恢复慢，已复绿区域的成活率有待观察。"
        ),
        next_steps=(
            "三季度完成废石堆场剩余区域复绿；汛期结束后组织专业队伍施工压力前池加固；"
            "8月开展一次防汛应急演练。"
        ),
        reviewed_at=at(7, 10, 9, 0),
        review_comment="同意。补充材料齐全。",
        evidence=["银峰矿区及电站安全隐患清单-截至6月30日.pdf"],
        returned=ReturnSpec(
            first_problems="进度偏慢。",
            returned_at=at(7, 6, 15, 40),
            comment=(
                "隐患整改完成率55%缺少依据，请附隐患清单和已销号隐患的整改前后照片；"
                "“存在问题”写得过于笼统，请具体说明剩余隐患为何未整改、计划何时整改。"
            ),
            resubmitted_at=at(7, 9, 10, 15),
        ),
    ),
    ReportSpec(
        project="ZX-2020-05",
        quarter=2,
        submitted_at=at(7, 6, 14, 0),
        actuals=["30", "0"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 40),
            MeasureSpec(DOING, 45),
        ],
        progress=(
            "制定投资企业监管清单，明确合规生产、安全环保、风险防控三方面28个检查要点；"
            "二季度赴3家投资企业现场检查；按月分析投资企业财务报表，上半年收到投资分红30万元，"
            "未发生重大风险事件。"
        ),
        problems="个别投资企业财务报表报送不及时，环保设施运行记录不完整。",
        next_steps=(
            "督促投资企业按月报送财务报表；三季度现场检查重点查环保设施运行和安全生产责任制落实。"
        ),
        reviewed_at=at(7, 8, 10, 0),
    ),
    ReportSpec(
        project="ZX-2020-06",
        quarter=2,
        submitted_at=at(7, 3, 11, 0),
        actuals=["100", "4200"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 40),
        ],
        progress=(
            "疫情发生后，党员带头通过兄弟单位、供应商和地方政府等渠道筹措口罩4200只、消毒液"
            "300升、体温计40支，防疫物资覆盖全体职工。2—3月安排专人专车将物资送到银峰矿业等"
            "一线点位。建立防疫物资台账，按周盘点补充。"
        ),
        problems="疫情转入常态化后，部分职工防护意识有所松懈；口罩储备需按一个月用量滚动补充。",
        next_steps="继续按周盘点物资；三季度再补充口罩800只；配合地方做好常态化疫情防控。",
        reviewed_at=at(7, 6, 9, 0),
    ),
    ReportSpec(
        project="ZX-2020-08",
        quarter=2,
        submitted_at=at(7, 8, 18, 0),
        actuals=["1", "100"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 50, "6月下旬完成第一次演练"),
            MeasureSpec(TODO, 0),
            MeasureSpec(TODO, 0),
        ],
        progress=(
            "5月修订汛期应急预案，储备食品、药品、照明、发电机等应急物资；6月下旬开展第一次"
            "防汛和地质灾害应急演练，驻矿人员全部参加。汛期实行24小时值守，二季度未发生险情，"
            "人员安全。"
        ),
        problems="矿区通信信号弱，险情发生时与外部联络困难；部分应急物资存放点地势偏低。",
        next_steps=(
            "7—8月开展第二次应急演练，重点演练道路中断情况下的人员撤离；增配卫星电话；"
            "将应急物资转移至高处库房。"
        ),
        reviewed_at=at(7, 9, 15, 0),
    ),
    ReportSpec(
        project="LS-2020-01",
        quarter=2,
        submitted_at=at(7, 9, 16, 30),
        actuals=["48", "1.74"],
        measures=[
            MeasureSpec(DONE, 100, "找出5个高耗环节"),
            MeasureSpec(DOING, 20),
            MeasureSpec(DOING, 30),
        ],
        progress=(
            "完成冶炼分离生产线能耗诊断，找出萃取槽散热、蒸汽冷凝水未回收等5个高耗环节；"
            "推行班组能耗日统计；上半年降本增效48万元，吨产品综合能耗降至1.74吨标煤。"
        ),
        problems="萃取槽保温改造需停槽施工，与生产计划冲突。",
        next_steps="三季度利用检修期分批实施萃取槽保温改造和余热回收；完善能耗日统计考核办法。",
        reviewed_at=at(7, 10, 10, 30),
    ),
    # ----------------------------------------------------------------------- Q3
    # ZX-2020-07 ended on 10 July: its final report, filed before the branch closed it.
    ReportSpec(
        project="ZX-2020-07",
        quarter=3,
        submitted_at=at(7, 10, 16, 0),
        actuals=["32"],
        measures=[MeasureSpec(DONE, 100), MeasureSpec(DONE, 100), MeasureSpec(DONE, 100)],
        progress=(
            "7月1日，党支部组织党员、入党积极分子和群众共32人赴礼州红军广场开展“七一”主题"
            "党日活动：参观红军长征遗址，重温入党誓词，书记讲专题党课，会后召开党员群众座谈会。"
            "活动总结已在公司内刊发布并归档。"
        ),
        problems="部分一线职工因生产任务未能参加。",
        next_steps="项目已完成，申请结项；下半年结合生产实际开展“党员先锋岗”等活动。",
        reviewed_at=at(7, 13, 9, 30),
        review_comment="同意结项。",
        evidence=["七一主题党日活动总结.pdf"],
    ),
    ReportSpec(
        project="ZX-2020-01",
        quarter=3,
        submitted_at=at(10, 9, 9, 40),
        actuals=["385", "210"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 50, "第二批90吨已到货"),
            MeasureSpec(DOING, 70),
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 55),
        ],
        progress=(
            "1—9月累计实现贸易利润385万元，完成年度目标的77%。首批独居石加工产品8月实现销售，"
            "第二批90吨已到货，累计采购独居石210吨。三季度稀土价格企稳回升，常规贸易按计划"
            "排产排销。9月下旬中国稀有稀土党委来公司检查本项目，对贸易创效成效给予肯定，"
            "对台账资料归档提出整改要求。"
        ),
        problems=(
            "一是独居石加工产品部分货款尚未回笼，影响效益核定；二是贸易合同、质检报告和"
            "回款凭证归档不及时，检查中被指出。"
        ),
        next_steps=(
            "四季度完成第三批独居石采购，确保全年采购量达到300吨；督促客户按期回款；按检查意见"
            "补齐台账资料，建立客户信用评估制度；力争全年贸易利润突破500万元。"
        ),
        reviewed_at=at(10, 12, 10, 0),
        review_comment="同意。请按党委检查意见抓好整改，四季度确保完成全年目标利润。",
    ),
    ReportSpec(
        project="ZX-2020-02",
        quarter=3,
        submitted_at=at(10, 9, 15, 20),
        actuals=["32", "13.2"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 70),
            MeasureSpec(DOING, 45, "库存矿产品销售1860吨"),
            MeasureSpec(DOING, 70),
            MeasureSpec(DOING, 40, "与两家矿山签订服务合同"),
            MeasureSpec(DONE, 100),
        ],
        progress=(
            "三季度销售库存矿产品1860吨，收入86万元；与周边两家矿山签订采矿技术服务合同，"
            "已到账服务费18万元；月均管理费用降至13.2万元。按全年口径测算，经营亏损已降至"
            "约32万元。9月矿区道路发生山体滑坡，党小组组织职工抢通便道、背运物资，保障了"
            "被困专家组安全撤出。"
        ),
        problems=(
            "滑坡造成矿区道路中断近半个月，矿产品外运受阻，部分销售合同延期执行；"
            "道路抢修增加了非计划支出。"
        ),
        next_steps=(
            "四季度加快库存矿产品外运和销售；扩大技术服务范围；严控冬季停产保护期费用，"
            "确保全年不亏损。"
        ),
        reviewed_at=at(10, 12, 10, 30),
        review_comment="同意。减亏成效明显。",
        evidence=["银峰矿业1至9月成本分析表.pdf"],
    ),
    ReportSpec(
        project="ZX-2020-03",
        quarter=3,
        submitted_at=at(10, 9, 17, 0),
        actuals=["0", "1"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DONE, 100, "初步方案已报上级审核"),
            MeasureSpec(LATE, 25, "冕宁县暂缓对外签约"),
            MeasureSpec(DOING, 10),
        ],
        progress=(
            "德昌县资源整合初步方案已经完成，9月下旬报上级公司审核，尚未正式报批。"
            "冕宁县框架协议三季度未取得实质进展：县里正在开展矿权清理，暂缓对外签约。"
        ),
        problems=(
            "冕宁县合作推进严重滞后，原定11月底前签订框架协议的节点难以实现；德昌县方案报批"
            "需上级统一部署，时间不由公司掌握。两项指标均明显落后于时间进度。"
        ),
        next_steps=(
            "由总经理带队再赴冕宁县对接，争取年底前签订框架协议；德昌县方案按上级审核意见修改"
            "完善后尽快报批；每两周向党支部和上级党委报告一次进展。"
        ),
        reviewed_at=at(10, 13, 9, 0),
        review_comment="同意。项目已亮红灯并列入党委督办，请倒排工期，每两周报告一次进展。",
    ),
    ReportSpec(
        project="ZX-2020-04",
        quarter=3,
        submitted_at=at(9, 30, 11, 0),
        actuals=["20", "82"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 75),
            MeasureSpec(DOING, 55),
            MeasureSpec(DOING, 45, "8月完成防汛演练"),
        ],
        progress=(
            "废石堆场边坡治理和复绿累计完成20亩；20项隐患已整改销号16项，完成率82%，剩余4项中"
            "电站压力前池渗漏等须枯水期施工。8月开展防汛应急演练。9月山体滑坡后对矿区道路沿线"
            "边坡进行了隐患复查，新发现的问题已纳入清单。"
        ),
        problems=(
            "滑坡后新发现的道路边坡隐患需要追加投入；电站压力前池加固须待10月枯水期施工，工期紧。"
        ),
        next_steps=(
            "10月底前完成剩余区域复绿，确保全年修复30亩；10—11月完成压力前池加固；12月组织年度"
            "应急演练，并对全年隐患整改情况复查销号。"
        ),
        reviewed_at=at(10, 9, 9, 0),
    ),
    ReportSpec(
        project="ZX-2020-05",
        quarter=3,
        submitted_at=at(10, 10, 17, 30),
        actuals=["52", "0"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 65),
            MeasureSpec(DOING, 70),
        ],
        progress=(
            "1—9月累计实现投资收益52万元。三季度对3家投资企业开展第二轮现场检查，督促1家企业"
            "完善环保设施运行记录；财务预警发现1家企业应收账款偏高，已提示其加强清收。"
            "未发生重大风险事件。"
        ),
        problems="受稀土市场波动影响，一家投资企业三季度利润下滑，全年分红可能低于预期。",
        next_steps=(
            "四季度跟踪投资企业年度利润和分红方案；开展年度合规检查，形成投资企业监管年度报告。"
        ),
        reviewed_at=at(10, 13, 9, 20),
    ),
    ReportSpec(
        project="ZX-2020-06",
        quarter=3,
        submitted_at=at(10, 9, 11, 0),
        actuals=["100", "4800"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DONE, 100),
            MeasureSpec(DOING, 65),
        ],
        progress=(
            "累计筹措口罩4800只，防疫物资持续覆盖全体职工。9月滑坡期间，为被困专家组和抢险职工"
            "补送口罩、消毒用品和常用药品。防疫物资台账按周更新。"
        ),
        problems="秋冬季疫情存在反弹风险，部分物资临近有效期需更换。",
        next_steps=(
            "四季度补足口罩储备，完成全年5000只目标；更换临期物资；做好元旦、春节期间职工"
            "返乡的防疫提醒。"
        ),
        review=PENDING,
    ),
    # The one late report: the landslide and the road repairs after it.
    ReportSpec(
        project="ZX-2020-08",
        quarter=3,
        submitted_at=at(10, 16, 20, 30),
        actuals=["2", "100"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(DONE, 100, "8月完成第二次演练"),
            MeasureSpec(DONE, 100, "专家组9月13日安全撤出，无人员伤亡"),
            MeasureSpec(DOING, 20),
        ],
        progress=(
            "8月开展第二次应急演练。9月10日矿区道路发生山体滑坡，道路中断，来矿开展技术指导的"
            "外来专家组被困三天两夜。党小组立即启动应急预案，党员带头、职工参与，徒步背运食品、"
            "药品和取暖物资进山，9月13日带领专家组沿临时便道安全撤出，无人员伤亡。险情过后"
            "组织对矿区道路沿线开展隐患排查并抢修道路。"
        ),
        problems=(
            "滑坡后矿区道路抢修任务重，本期报告延后提交；道路沿线仍有松散堆积体，雨季存在再次"
            "滑坡的风险。"
        ),
        next_steps=(
            "四季度完成道路抢修和沿线边坡治理；总结滑坡险情处置经验，修订应急预案；"
            "增设道路边坡监测点。"
        ),
        reviewed_at=at(10, 19, 9, 0),
        review_comment="同意。报告逾期提交，下不为例；滑坡险情处置中党员职工表现突出，值得总结推广。",
        evidence=["银峰矿区9月10日山体滑坡险情处置情况报告.pdf"],
    ),
    ReportSpec(
        project="LS-2020-01",
        quarter=3,
        submitted_at=at(10, 10, 15, 0),
        actuals=["85", "1.69"],
        measures=[
            MeasureSpec(DONE, 100),
            MeasureSpec(LATE, 55, "保温材料到货延迟约一个月"),
            MeasureSpec(DOING, 55),
        ],
        progress=(
            "1—9月累计降本增效85万元，吨产品综合能耗降至1.69吨标煤。萃取槽保温改造完成55%，"
            "余热回收装置已到货待安装。班组能耗日统计全面推开。"
        ),
        problems="保温改造材料到货延迟约一个月，改造进度落后于计划，节能效果未能如期体现。",
        next_steps=(
            "10月底前完成剩余萃取槽保温改造，11月完成余热回收装置安装调试；加强班组能耗考核，"
            "确保全年降本增效150万元。"
        ),
        review=PENDING,
    ),
]


# --------------------------------------------------------------------------- benefit claims

VERIFY = "verify"
REJECT = "reject"


@dataclass(frozen=True)
class ClaimSpec:
    project: str
    quarter: int
    amount: str  # 万元
    source: str  # BenefitSource value
    description: str
    evidence: str  # file name
    decision: str  # VERIFY or REJECT
    decided_at: dt.datetime
    note: str  # the verifier's note, or the rejection's reason
    verified_amount: str | None = None


CLAIMS: list[ClaimSpec] = [
    ClaimSpec(
        project="ZX-2020-01",
        quarter=2,
        amount="230.00",
        source="trade_profit",
        description="1—6月稀土氧化物常规贸易实现利润230万元。",
        evidence="2020年上半年稀土贸易利润测算表.pdf",
        decision=VERIFY,
        decided_at=at(7, 20, 15, 0),
        verified_amount="226.40",
        note="经与财务账面核对，扣除应分摊的仓储费和资金占用费3.60万元，核定226.40万元。",
    ),
    ClaimSpec(
        project="ZX-2020-01",
        quarter=3,
        amount="155.00",
        source="trade_profit",
        description="7—9月稀土贸易实现利润155万元，其中独居石加工产品销售利润62万元。",
        evidence="2020年三季度稀土贸易利润明细表.pdf",
        decision=REJECT,
        decided_at=at(10, 20, 10, 0),
        note=(
            "申报的独居石加工产品销售利润中，约60万元货款尚未回笼，按公司效益核定口径不能确认为"
            "创效成果；所附明细表未附购销合同和银行回单。请货款回笼、资料补齐后于第四季度"
            "据实申报。"
        ),
    ),
]


# --------------------------------------------------------------------------- inspection


@dataclass(frozen=True)
class ItemSpec:
    description: str
    owner: str  # staff number, inside the inspected project's org
    due: dt.date
    # When set, the owner closes the item (销号) with this evidence file and note.
    closed_at: dt.datetime | None = None
    evidence: str = ""
    closing_note: str = ""


@dataclass(frozen=True)
class InspectionSpec:
    project: str
    date: dt.date
    inspectors: str
    methods: list[str]  # InspectionMethod values
    findings: str
    rating: str  # InspectionRating value
    items: list[ItemSpec]


INSPECTION = InspectionSpec(
    project="ZX-2020-01",
    date=dt.date(2020, 9, 24),
    inspectors="严国平、高振华",
    methods=["briefing", "documents"],
    findings=(
        "听取了项目牵头人何志远的汇报，查阅了项目台账、贸易合同、利润测算表和贸易风险台账。"
        "项目目标明确，党员带头、群众参与的组织方式落实到位，1—8月贸易利润完成进度与时间进度"
        "基本同步，新开展的独居石采购加工贸易已形成销售。主要问题：一是独居石贸易的购销合同、"
        "质检报告和回款凭证未随台账归档；二是贸易风险台账未按月更新，缺少客户信用评估。"
    ),
    rating="good",
    items=[
        ItemSpec(
            description="按批次补齐独居石采购加工贸易的购销合同、质检报告和回款凭证，随项目台账归档。",
            owner="ZXSC-0008",
            due=dt.date(2020, 10, 31),
            closed_at=at(10, 28, 16, 0),
            evidence="独居石贸易资料归档清单.pdf",
            closing_note=(
                "已按两个批次补齐购销合同4份、质检报告2份、回款凭证9份，编制归档清单，"
                "随项目台账归档。"
            ),
        ),
        ItemSpec(
            description="建立客户信用评估制度，贸易风险台账按月更新并报党支部。",
            owner="ZXSC-0004",
            due=dt.date(2020, 12, 31),
        ),
    ],
)


# --------------------------------------------------------------------------- assessment

# The Q3 assessment: the sector's assessor scores the scheme's manual criterion (创新亮点)
# for two projects and records one commendation (获上级表彰) as a bonus, then publishes.
ASSESSED_QUARTER = 3


@dataclass(frozen=True)
class EntrySpec:
    kind: str  # EntryKind value: criterion (the scheme's manual criterion) or bonus
    project: str
    value: str
    note: str
    evidence: str = ""


ENTRIES: list[EntrySpec] = [
    EntrySpec(
        kind="criterion",
        project="ZX-2020-01",
        value="0.9",
        note="新开展与兄弟单位的独居石采购加工贸易，开辟了协同创效的新渠道。",
    ),
    EntrySpec(
        kind="criterion",
        project="ZX-2020-02",
        value="0.8",
        note=(
            "高海拔矿山从日常管理、财务、贸易、党务、技术服务、车辆租赁六条线同步挖潜，"
            "大幅减亏，做法可在同类矿山推广。"
        ),
    ),
    EntrySpec(
        kind="bonus",
        project="ZX-2020-08",
        value="3",
        note=(
            "9月山体滑坡险情中，职工背运物资进山，带领被困三天两夜的专家组安全撤出，"
            "无人员伤亡，受到中国稀有稀土党委通报表扬。"
        ),
        evidence="关于表扬银峰矿业滑坡险情处置的通报.pdf",
    ),
]
