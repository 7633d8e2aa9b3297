"""The demo programme, taken from the article on Qingdao's 2025 "ten actions" (shared/seed).

Names of actions, programmes, venues and figures are the article's; companies, people and
the exact dates are invented. Events are placed in days relative to the day the data is
loaded (`day`), at local Qingdao time (`start`/`end`), so the home page always shows an
upcoming programme. Loaded by `manage.py load_demo` (events/management/commands/load_demo.py).
"""

# fmt: off
# The programme as tables, one row per line: easier to read and to check against the article than
# the one-value-per-line layout the formatter would give (it more than doubled the file).

SERIES = {
    "slug": "ten-actions-2025",
    "title": "青岛市加快博士后人才集聚 推动高质量发展十大行动",
    "year": 2025,
    "target_postdocs": 10000,
    "description": (
        "2025年是全国博士后制度实施40周年。青岛推出“加快博士后人才集聚 推动高质量发展”十大行动，"
        "聚焦博士后招引集聚、创新创业、金融赋能、成果转化、助企纾困、产才对接、平台扩容提质、"
        "生态优化提升、联盟协作、学术研讨等方面，全面升级博士后人才政策和服务体系。"
        "全年计划举办博士后专场招聘10场以上、组织4场产才对接活动，力争2025年年底全市累计集聚博士后"
        "在青创新创业人才达到1万人，累计培育博士后创新创业项目突破1000个。\n"
        "截至目前，全市共设立各级博士后平台358家，其中博士后科研流动站75家、博士后科研工作站64家、"
        "省博士后创新实践基地63家、市博士后创新实践基地156家；全市累计博士后进站8767人，出站留青率达76%。"
    ),
}

# In the article's order; the position is the action's number.
ACTIONS = [
    ("“博聚英才”博士后招引集聚行动",
     "聚焦“走出去”与“请进来”相结合：组建专业化引才团队，赴北京、上海、西安等高校资源密集地区开展巡回招聘，"
     "精准对接当地高校院所及重点学科；利用“蓝洽会”“百所高校千名博士青岛行”等品牌活动特设博士后人才招聘专区，"
     "系统展示青岛博士后科研平台优势、人才扶持政策及优质岗位需求。全年计划举办博士后专场招聘10场以上。"),
    ("“博揽英才 创领未来”博士(后)创新创业行动",
     "继续举办2025年中国·山东博士(后)创新创业大赛“人才招引赛”，高质量参加第三届全国博士后创新创业大赛，"
     "建立“赛事+招引”融合发展机制，年内开展3场博士后创新创业大赛专题宣传推介。本届大赛采用“以赛代评”，"
     "拿出60个“省博新计划”岗位支持获奖项目，金奖、银奖进站博士后分别纳入“山东省博士后创新人才支持计划”A类、B类。"),
    ("“博汇金智”博士后金融赋能行动",
     "联合金融机构专门发行“博士后银行卡”，提供博士后消费贷、博士后信用贷及其他金融增值服务："
     "博士后最高可享受50万元消费贷款额度并享优惠利率，符合条件的博士后最高可享受1000万元信用贷款。"),
    ("“博荟硕果”博士后成果转化行动",
     "择优认定一批博士后创新成果转化基地，整合政策、技术、人才、资本等要素，为成果转化提供全周期服务；"
     "组织博士后创新创业项目评选，组建导师团队提供技术升级、商业模式优化、融资对接等辅导，"
     "到2025年年底累计培育博士后创新创业项目突破1000个。"),
    ("“博智惠企”博士后助企纾困行动",
     "组建博士后科技服务团，开展“进企业、解难题”专项行动；常态化收集电子信息、高端装备、生物医药等重点领域的"
     "技术难题和创新需求，形成动态更新的“企业难题清单”，依托“揭榜领题”平台组织博士后团队“揭榜攻关”。"),
    ("“博创未来”博士后产才对接行动",
     "围绕“10+1”创新型产业体系，聚焦“人工智能”“绿色能源”等重点产业链，搭建博士后与高校院所、科研平台、"
     "金融机构、重点企业的精准对接平台；采用“线上+线下”相结合模式，通过企业发展介绍、项目路演、实地参观、"
     "专题座谈等方式，全年组织4场产才对接活动。"),
    ("“博筑高峰”博士后平台扩容提质行动",
     "聚力打造国家、省、市三级博士后招收培养、创新创业平台体系；“10+1”创新型产业体系中具有博士后招收能力的"
     "“链主”企业和重点企业，由市人力资源和社会保障局直接认定为青岛市博士后创新实践基地，"
     "优先推荐备案国家级博士后科研工作站、省级博士后创新实践基地。"),
    ("“政解博策”博士后生态优化提升行动",
     "搭建“唯才·唯青岛”青岛市人才数智赋能平台——博士后服务专区，实现博士后资助发放“一网通办”；"
     "常态化开展线上线下博士后政策专题培训，系统解读资助政策、进出站管理规范及培养流程；"
     "发布《青岛市博士后工作白皮书》，打造“青年友好型城市”。"),
    ("“博聚合力”博士后联盟协作行动",
     "依托2020年成立的青岛市博士后平台协作联盟，围绕科技研发、创新创业、产才融合三大板块，"
     "构建“跨部门协同、跨行业联动、开放式创新”的合作平台，组织联盟单位开展博士后服务基层、项目路演、"
     "学术交流、人才联谊等活动。"),
    ("“智聚博坛”博士后学术研讨行动",
     "紧扣世界科技前沿和未来产业发展方向，策划举办多场博士后学术研讨，邀请两院院士、行业领军人才等顶尖专家，"
     "策划组织跨学科交叉论坛、前沿技术讲座、海外研学实训等品牌行动，精心构筑博士后学术交流高地。"),
]

FAIR_TIMETABLE = [
    ("09:00", "09:30", "开幕式暨青岛博士后人才政策发布", "青岛市人力资源和社会保障局", "主会场"),
    ("09:30", "12:00", "设站单位现场招聘洽谈", "", "招聘展区"),
    ("13:30", "15:30", "博士后科研平台与岗位推介", "重点设站单位代表", "推介区"),
]
TOUR_TIMETABLE = [
    ("14:00", "14:40", "青岛城市与博士后人才政策推介", "青岛市引才团队", "报告厅"),
    ("14:40", "17:00", "设站单位一对一洽谈", "", "洽谈区"),
]
MATCHMAKING_TIMETABLE = [
    ("09:00", "09:50", "企业发展介绍", "链主企业代表", "主会场"),
    ("10:00", "11:50", "项目路演", "博士后项目团队", "主会场"),
    ("13:30", "15:30", "实地参观", "", "参观企业（集合后乘车前往）"),
    ("15:45", "17:00", "专题座谈", "企业技术负责人、博士后导师", "会议室"),
]
POLICY_TIMETABLE = [
    ("资助政策解读", "市人社局博士后管理办公室"),
    ("进出站管理规范", "市人社局博士后管理办公室"),
    ("培养流程与考核", "设站单位博士后管理人员"),
    ("“唯才·唯青岛”博士后服务专区“一网通办”演示", "平台运营团队"),
]


def policy_sessions(start_hour: int, room: str) -> list[tuple]:
    """Four 40-minute blocks with a 5-minute break, from `start_hour`."""
    sessions = []
    for index, (title, speakers) in enumerate(POLICY_TIMETABLE):
        minutes = start_hour * 60 + index * 45
        sessions.append((f"{minutes // 60:02d}:{minutes % 60:02d}", f"{(minutes + 40) // 60:02d}:{(minutes + 40) % 60:02d}",
                         title, speakers, room))
    return sessions


def E(key, action, kind, title, summary, *, day, start, end, capacity, city="青岛", venue="", address="",
      mode="offline", waitlist=True, opens=60, closes=2, eligibility=(), sessions=()):
    """One event. `opens`: days before the start that registration opens; `closes`: hours before."""
    return {
        "key": key, "action": action, "kind": kind, "title": title, "summary": summary, "day": day,
        "start": start, "end": end, "capacity": capacity, "city": city, "venue": venue, "address": address,
        "mode": mode, "waitlist": waitlist, "opens": opens, "closes": closes,
        "eligibility": list(eligibility), "sessions": list(sessions),
    }


EXPO = ("青岛国际会展中心", "山东省青岛市崂山区苗岭路9号")
ACADEMICIAN_PORT = ("青岛国际院士港", "山东省青岛市李沧区")
OUC = ("中国海洋大学崂山校区", "山东省青岛市崂山区松岭路238号")

EVENTS = [
    # 1 博聚英才: more than ten recruitment fairs, at home and on tour.
    E("autumn-fair", 1, "fair", "2025青岛市博士后人才专场招聘会（秋季）",
      "全市博士后设站单位集中发布岗位，现场洽谈、签约。", day=-24, start="09:00", end="15:30", capacity=1500,
      venue=EXPO[0], address=EXPO[1], sessions=FAIR_TIMETABLE),
    E("online-fair", 1, "fair", "青岛博士后人才线上双选会",
      "设站单位线上发布岗位、视频面试，足不出户对接青岛优质岗位。", day=4, start="09:30", end="16:30",
      capacity=2000, mode="online", waitlist=False),
    E("tour-beijing", 1, "roadshow", "青岛博士后巡回招聘·北京站（清华大学）",
      "青岛专业化引才团队走进清华大学，精准对接当地高校院所及重点学科，靶向引进高层次青年人才。",
      day=10, start="14:00", end="17:00", capacity=400, city="北京", venue="清华大学",
      address="北京市海淀区清华大学", sessions=TOUR_TIMETABLE),
    E("tour-shanghai", 1, "roadshow", "青岛博士后巡回招聘·上海站（上海交通大学）",
      "走进上海交通大学，推介青岛博士后科研平台优势、人才扶持政策及优质岗位需求。",
      day=17, start="14:00", end="17:00", capacity=400, city="上海", venue="上海交通大学闵行校区",
      address="上海市闵行区东川路800号", sessions=TOUR_TIMETABLE),
    E("tour-xian", 1, "roadshow", "青岛博士后巡回招聘·西安站（西安交通大学）",
      "走进西安交通大学，面向能源动力、电气、材料等重点学科博士精准引才。",
      day=24, start="14:00", end="17:00", capacity=300, city="西安", venue="西安交通大学兴庆校区",
      address="陕西省西安市碑林区咸宁西路28号", sessions=TOUR_TIMETABLE),
    E("marine-fair", 1, "fair", "海洋科技领域博士后专场招聘会",
      "面向海洋科学、船舶与海洋工程等学科博士，涉海设站单位集中招聘。", day=31, start="09:00", end="15:30",
      capacity=600, venue=OUC[0], address=OUC[1], sessions=FAIR_TIMETABLE),
    E("hundred-universities", 1, "fair", "“百所高校千名博士青岛行”博士后人才招聘专区",
      "在“百所高校千名博士青岛行”活动中特设博士后人才招聘专区，系统展示青岛博士后科研平台与岗位。",
      day=38, start="09:00", end="15:30", capacity=1200, venue=ACADEMICIAN_PORT[0], address=ACADEMICIAN_PORT[1],
      sessions=FAIR_TIMETABLE),
    E("ai-fair", 1, "fair", "人工智能与电子信息博士后专场招聘会",
      "聚焦“10+1”创新型产业体系中的人工智能、电子信息产业链，线上线下同步招聘。",
      day=45, start="09:00", end="15:30", capacity=500, mode="hybrid", venue="青岛国际创新园",
      address="山东省青岛市崂山区株洲路", sessions=FAIR_TIMETABLE),
    E("qilu-fair", 1, "fair", "齐鲁博士(后)菁英人才招聘活动（青岛专场）",
      "吸引海内外高层次人才来青创新创业，省内重点企业、高校院所同场揽才。", day=52, start="09:00",
      end="15:30", capacity=1000, venue=EXPO[0], address=EXPO[1], sessions=FAIR_TIMETABLE),
    E("blue-fair", 1, "fair", "“蓝洽会”博士后人才招聘专区",
      "依托“蓝洽会”品牌活动特设博士后人才招聘专区，吸引海内外优秀博士来青工作。报名将于活动前30天开放。",
      day=66, start="09:00", end="16:00", capacity=2000, venue=EXPO[0], address=EXPO[1], opens=30,
      sessions=FAIR_TIMETABLE),
    E("biomed-fair", 1, "fair", "生物医药与高端装备博士后专场招聘会",
      "面向生物医药、高端装备重点领域，链主企业与设站单位集中发布博士后岗位。", day=80, start="09:00",
      end="15:30", capacity=500, venue="青岛市人力资源市场", address="山东省青岛市市北区", sessions=FAIR_TIMETABLE),
    E("spring-fair", 1, "fair", "2026青岛市博士后设站单位联合招聘会（春季）",
      "全市博士后科研流动站、工作站及创新实践基地联合招聘。", day=101, start="09:00", end="15:30",
      capacity=1500, venue=EXPO[0], address=EXPO[1], opens=40, sessions=FAIR_TIMETABLE),

    # 2 博揽英才 创领未来: the competition and its three promotion events.
    E("promo-qdu", 2, "competition", "博士后创新创业大赛专题宣传推介会（青岛大学站）",
      "解读大赛赛制与“以赛代评”支持政策，搭建人才与企业、资本、项目的对接桥梁。", day=8, start="14:30",
      end="16:30", capacity=200, venue="青岛大学", address="山东省青岛市崂山区宁夏路308号"),
    E("promo-upc", 2, "competition", "博士后创新创业大赛专题宣传推介会（中国石油大学（华东）站）",
      "“赛事+招引”融合发展：大赛报名辅导与项目对接。", day=22, start="14:30", end="16:30", capacity=200,
      venue="中国石油大学（华东）", address="山东省青岛市黄岛区长江西路66号"),
    E("promo-online", 2, "competition", "博士后创新创业大赛专题宣传推介会（线上）",
      "面向海内外博士(后)在线解读参赛指南，金奖、银奖可纳入“山东省博士后创新人才支持计划”A类、B类。",
      day=36, start="19:00", end="20:30", capacity=1000, mode="online", waitlist=False),
    E("competition", 2, "competition", "2025年中国·山东博士(后)创新创业大赛“人才招引赛”",
      "以赛引才、以赛代评：60个“省博新计划”岗位支持获奖项目。", day=59, start="08:30", end="17:30",
      capacity=600, venue="青岛市博士后创新创业园区", address="山东省青岛市崂山区",
      sessions=[("08:30", "09:00", "开赛仪式", "大赛组委会", "主会场"),
                ("09:00", "12:00", "项目路演（创新组）", "参赛博士(后)团队", "路演厅A"),
                ("13:30", "16:00", "项目路演（创业组）", "参赛博士(后)团队", "路演厅B"),
                ("16:00", "16:45", "专家评审", "评审委员会", "评审室"),
                ("16:45", "17:30", "颁奖仪式", "大赛组委会", "主会场")]),

    # 3 博汇金智
    E("bank-card", 3, "training", "“博士后银行卡”金融服务政策宣讲会",
      "解读博士后消费贷（最高50万元）与信用贷（最高1000万元）申请条件与流程。", day=27, start="14:00",
      end="16:00", capacity=150, mode="hybrid", venue="青岛市人力资源和社会保障局",
      address="山东省青岛市市南区"),

    # 4 博荟硕果
    E("transfer-roadshow", 4, "roadshow", "博士后创新成果转化项目路演",
      "入选博士后创新创业项目集中路演，投资机构、导师团队现场点评与融资对接。", day=48, start="14:00",
      end="17:30", capacity=150, venue="博士后创新成果转化基地", address="山东省青岛市崂山区",
      sessions=[("14:00", "16:00", "项目路演", "博士后创业团队", "路演厅"),
                ("16:00", "16:45", "投资人点评", "投资机构代表", "路演厅"),
                ("16:45", "17:30", "对接洽谈", "", "洽谈区")]),

    # 5 博智惠企
    E("challenge-call", 5, "roadshow", "“进企业、解难题”企业难题清单发布暨揭榜路演",
      "发布电子信息、高端装备、生物医药等领域“企业难题清单”，博士后团队现场“揭榜领题”。",
      day=73, start="09:00", end="12:00", capacity=200, venue="青岛高新区科技创新中心",
      address="山东省青岛市城阳区"),

    # 6 博创未来: the four industry–talent matchmaking sessions of the year.
    E("match-ai", 6, "matchmaking", "“博创未来”产才对接活动·人工智能专场",
      "人工智能产业链链主企业与博士后精准对接。", day=12, start="09:00", end="17:00", capacity=200,
      mode="hybrid", venue=ACADEMICIAN_PORT[0], address=ACADEMICIAN_PORT[1], sessions=MATCHMAKING_TIMETABLE),
    E("match-green", 6, "matchmaking", "“博创未来”产才对接活动·绿色能源专场",
      "围绕新能源、储能与氢能产业链，博士后与重点企业靶向对接。", day=41, start="09:00", end="17:00",
      capacity=200, mode="hybrid", venue="青岛西海岸新区创新创业中心", address="山东省青岛市黄岛区",
      sessions=MATCHMAKING_TIMETABLE),
    E("match-electronics", 6, "matchmaking", "“博创未来”产才对接活动·电子信息专场",
      "集成电路、通信与智能终端企业发布技术需求，博士后团队对接合作。", day=69, start="09:00", end="17:00",
      capacity=150, mode="hybrid", venue="青岛高新区科技创新中心", address="山东省青岛市城阳区",
      sessions=MATCHMAKING_TIMETABLE),
    E("match-biomed", 6, "matchmaking", "“博创未来”产才对接活动·生物医药专场",
      "创新药、医疗器械与海洋生物医药企业与博士后供需匹配、共建合作。", day=94, start="09:00", end="17:00",
      capacity=150, mode="hybrid", venue="青岛国际生物医药港", address="山东省青岛市崂山区",
      opens=40, sessions=MATCHMAKING_TIMETABLE),

    # 8 政解博策: policy trainings, online and offline.
    E("policy-past", 8, "training", "“政解博策”博士后政策专题培训（第四期·线上）",
      "系统解读资助政策、进出站管理规范及培养流程。", day=-9, start="15:00", end="18:00", capacity=300,
      mode="online", sessions=policy_sessions(15, "线上直播间")),
    E("policy-online", 8, "training", "“政解博策”博士后政策专题培训（第五期·线上）",
      "系统解读资助政策、进出站管理规范及培养流程，在线答疑。", day=6, start="15:00", end="18:00",
      capacity=300, mode="online", sessions=policy_sessions(15, "线上直播间")),
    E("policy-offline", 8, "training", "“政解博策”在站博士后资助政策与进出站管理培训（线下）",
      "面向在站及出站博士后，现场解读资助申领、进出站管理规范与培养流程。", day=33, start="09:00",
      end="12:00", capacity=120, venue="青岛市人力资源和社会保障局培训中心", address="山东省青岛市市南区",
      eligibility=["postdoc", "postdoc_alumni"], sessions=policy_sessions(9, "第一培训室")),
    E("policy-offline-2", 8, "training", "“政解博策”博士后政策专题培训（西海岸新区专场）",
      "深入基层设站单位，面对面解读资助政策与培养流程。", day=62, start="14:00", end="17:00", capacity=100,
      venue="青岛西海岸新区人才服务中心", address="山东省青岛市黄岛区", sessions=policy_sessions(14, "报告厅")),

    # 9 博聚合力: a small networking evening, nearly full.
    E("alliance-salon", 9, "forum", "青岛市博士后平台协作联盟·青年博士后人才联谊沙龙",
      "联盟单位博士后学术交流与人才联谊，名额有限。", day=15, start="18:30", end="21:00", capacity=12,
      venue="青岛市博士后创新创业园区", address="山东省青岛市崂山区",
      sessions=[("18:30", "19:30", "博士后学术交流", "联盟单位博士后", "多功能厅"),
                ("19:30", "21:00", "人才联谊", "", "多功能厅")]),

    # 10 智聚博坛: academic forums with timetables.
    E("forum-cross", 10, "forum", "“智聚博坛”跨学科交叉论坛：海洋科学与人工智能",
      "邀请两院院士、行业领军人才，探讨海洋大数据、智能感知与交叉学科博士后培养。", day=20, start="09:00",
      end="17:00", capacity=300, venue="中国海洋大学学术交流中心", address=OUC[1],
      sessions=[("09:00", "09:20", "开幕致辞", "中国海洋大学、青岛市人社局", "报告厅"),
                ("09:20", "10:20", "主旨报告：海洋大数据与智能感知", "特邀院士专家", "报告厅"),
                ("10:30", "12:00", "圆桌对话：交叉学科的博士后培养", "高校导师、设站单位代表", "报告厅"),
                ("13:30", "16:30", "青年博士后学术报告", "在站博士后", "分会场一、二"),
                ("16:30", "17:00", "优秀报告颁奖与闭幕", "论坛学术委员会", "报告厅")]),
    E("forum-lecture", 10, "forum", "“智聚博坛”前沿技术讲座：新型储能与绿色氢能",
      "紧扣未来产业发展方向，行业领军人才讲授前沿技术。", day=45, start="14:00", end="17:00", capacity=200,
      mode="hybrid", venue="青岛国际院士港报告厅", address=ACADEMICIAN_PORT[1],
      sessions=[("14:00", "15:20", "前沿技术讲座：新型储能材料", "行业领军人才", "报告厅"),
                ("15:30", "16:30", "前沿技术讲座：绿色氢能产业", "特邀专家", "报告厅"),
                ("16:30", "17:00", "互动问答", "", "报告厅")]),
    E("forum-closed", 10, "forum", "“智聚博坛”院士面对面：青年博士后闭门研讨会",
      "小范围闭门研讨，院士与青年博士后面对面交流科研选题，名额已满可候补。", day=26, start="14:00",
      end="17:00", capacity=10, venue=ACADEMICIAN_PORT[0], address=ACADEMICIAN_PORT[1],
      sessions=[("14:00", "15:00", "院士报告", "特邀院士专家", "研讨室"),
                ("15:10", "17:00", "闭门研讨", "青年博士后", "研讨室")]),
    E("study-abroad", 10, "training", "博士后海外研学实训项目说明会",
      "介绍各领域博士后赴境外学术研修、海外研学实训的遴选与支持办法。", day=55, start="15:00", end="16:30",
      capacity=200, mode="online", waitlist=False),
]

# (name, industry, platform kind, verified, district code) — invented names; codes are Qingdao's
# districts (370202 市南, 370203 市北, 370211 黄岛, 370212 崂山, 370214 城阳, 370215 即墨).
COMPANIES = [
    ("青岛海蓝智能科技有限公司", "ai", "workstation", True, "370212", "李敏"),
    ("青岛澜海新能源集团有限公司", "green_energy", "provincial_base", True, "370211", "张磊"),
    ("青岛启明生物医药股份有限公司", "biomed", "workstation", True, "370212", "王静"),
    ("青岛远航高端装备制造有限公司", "equipment", "city_base", True, "370214", "刘洋"),
    ("青岛芯海电子信息技术有限公司", "electronics", "city_base", True, "370211", "陈晨"),
    ("青岛蓝湾海洋科技研究院有限公司", "marine", "provincial_base", True, "370202", "杨帆"),
    ("青岛新材科技有限公司", "new_materials", "none", False, "370214", "赵婷"),
    ("青岛智家家电研究院有限公司", "home_appliances", "workstation", False, "370203", "黄伟"),
    ("青岛驰远新能源汽车科技有限公司", "automotive", "city_base", True, "370215", "周杰"),
    ("青岛绿源化工新材料有限公司", "chemicals", "provincial_base", True, "370211", "吴娜"),
    ("青岛云栖数智服务有限公司", "services", "none", True, "370203", "孙浩"),
]

# (name, degree, postdoc status, institution, discipline code, research field, graduation year)
CANDIDATES = [
    ("林晓", "phd", "none", "中国海洋大学", "0707", "物理海洋学", 2025),
    ("王浩然", "phd_candidate", "none", "清华大学", "0812", "机器学习", 2026),
    ("陈思远", "phd", "in_station", "山东大学", "0703", "电化学储能", 2023),
    ("赵一鸣", "phd", "completed", "西安交通大学", "0808", "电力电子", 2020),
    ("刘雨桐", "phd", "none", "上海交通大学", "1007", "药物化学", 2025),
    ("孙嘉禾", "phd_candidate", "none", "中国石油大学（华东）", "0817", "催化化学", 2026),
    ("周启航", "phd", "in_station", "青岛大学", "0831", "医学影像", 2024),
    ("吴若凡", "phd", "none", "哈尔滨工业大学", "0802", "智能制造", 2024),
    ("郑雅琪", "phd", "none", "复旦大学", "0710", "合成生物学", 2025),
    ("何子墨", "phd", "none", "北京航空航天大学", "0825", "无人系统", 2025),
    ("许清扬", "phd", "none", "浙江大学", "0805", "高分子材料", 2024),
    ("马文博", "phd_candidate", "none", "中国科学院海洋研究所", "0707", "海洋生态", 2026),
    ("高思琪", "phd", "in_station", "中国科学院青岛生物能源与过程研究所", "0836", "合成生物制造", 2023),
    ("黄景行", "phd", "none", "西北工业大学", "0824", "水下航行器", 2025),
    ("罗一帆", "phd", "completed", "北京大学", "0701", "优化算法", 2019),
    ("蔡欣然", "master", "none", "青岛科技大学", "0817", "化工过程强化", 2022),
]

# What the demo people did, in this order, through the real services (event key, candidate numbers).
# The closed-door seminar (10 seats) fills up, one holder cancels and the first waiting person is
# promoted; candidate 2 ends up waiting. The salon (12 seats) is left with one seat.
REGISTRATIONS = [
    ("autumn-fair", [1, 3, 4, 5, 7, 8, 11, 13]),
    ("policy-past", [3, 7, 13, 15]),
    ("forum-closed", [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
    ("alliance-salon", [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14]),
    ("tour-beijing", [2, 10, 15]),
    ("tour-shanghai", [5, 9]),
    ("tour-xian", [4, 14]),
    ("match-ai", [2, 8, 10, 15]),
    ("policy-online", [3, 7, 13]),
    ("policy-offline", [3, 7, 13, 15]),
    ("forum-cross", [1, 12, 14]),
    ("online-fair", [6, 11, 16]),
]
CANCELLATIONS = [("forum-closed", 4)]
LATE_REGISTRATIONS = [("forum-closed", [2])]
# fmt: on
