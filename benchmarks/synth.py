"""Write a synthetic, SPEC-valid wenming project of any size.

    python benchmarks/synth.py OUT_DIR --preset jinan          # ~7,600 pages, like Jinan in 2019
    python benchmarks/synth.py OUT_DIR --preset province       # ~70,000 站
    python benchmarks/synth.py OUT_DIR --preset small          # a few dozen records, for tests
    python benchmarks/synth.py OUT_DIR --preset jinan --stations 1000 --seed 7

The output is a complete project: ``mkdocs.yml`` (the repository's own settings with
this network's site name, site URL and root), ``themes/`` copied from the repository,
and a ``content/`` tree with stations (one root 中心, district 中心, 所, 站, a few merged
or closed 站 and former ids), brand projects, model figures, cases in year folders,
case books, activity ledgers and a handful of shared photos. The same seed always
gives the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CATEGORIES = ["理论宣讲", "文化惠民", "助学支教", "医疗健身", "科学普及", "法律服务", "卫生环保", "扶贫帮困"]

# 济南 in 2019: 15 district-level centres under the city centre.
JINAN_DISTRICTS = [
    ("历下区", "lixia"), ("市中区", "shizhong"), ("槐荫区", "huaiyin"), ("天桥区", "tianqiao"),
    ("历城区", "licheng"), ("长清区", "changqing"), ("章丘区", "zhangqiu"), ("济阳区", "jiyang"),
    ("莱芜区", "laiwu"), ("钢城区", "gangcheng"), ("平阴县", "pingyin"), ("商河县", "shanghe"),
    ("高新区", "gaoxin"), ("南部山区", "nanbu"), ("先行区", "xianxing"),
]
# 山东 cities with their area codes, for the province preset.
SHANDONG_CITIES = [
    ("济南市", "jinan", "0531"), ("青岛市", "qingdao", "0532"), ("淄博市", "zibo", "0533"),
    ("枣庄市", "zaozhuang", "0632"), ("东营市", "dongying", "0546"), ("烟台市", "yantai", "0535"),
    ("潍坊市", "weifang", "0536"), ("济宁市", "jining", "0537"), ("泰安市", "taian", "0538"),
    ("威海市", "weihai", "0631"), ("日照市", "rizhao", "0633"), ("临沂市", "linyi", "0539"),
    ("德州市", "dezhou", "0534"), ("聊城市", "liaocheng", "0635"), ("滨州市", "binzhou", "0543"),
    ("菏泽市", "heze", "0530"),
]
# Syllables for place names: (characters, pinyin).
PLACE_SYLLABLES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"),
    ("林", "lin"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("田", "tian"), ("董", "dong"), ("潘", "pan"), ("袁", "yuan"),
    ("东", "dong"), ("西", "xi"), ("南", "nan"), ("北", "bei"), ("前", "qian"), ("后", "hou"),
    ("上", "shang"), ("下", "xia"), ("大", "da"), ("小", "xiao"), ("新", "xin"), ("旧", "jiu"),
    ("河", "he"), ("山", "shan"), ("泉", "quan"), ("湖", "hu"), ("桥", "qiao"), ("店", "dian"),
    ("庄", "zhuang"), ("营", "ying"), ("屯", "tun"), ("坡", "po"), ("峪", "yu"), ("岭", "ling"),
    ("柳", "liu"), ("杏", "xing"), ("槐", "huai"), ("枣", "zao"), ("松", "song"), ("梨", "li"),
    ("石", "shi"), ("龙", "long"), ("凤", "feng"), ("金", "jin"), ("玉", "yu"), ("安", "an"),
    ("平", "ping"), ("兴", "xing"), ("华", "hua"), ("明", "ming"), ("光", "guang"), ("泰", "tai"),
    ("丰", "feng"), ("和", "he"), ("齐", "qi"), ("鲁", "lu"), ("仁", "ren"), ("义", "yi"),
]
VILLAGE_ENDINGS = [("村", ""), ("庄村", "zhuang"), ("家村", "jia"), ("社区", "sq"), ("营村", "ying"),
                   ("峪村", "yu"), ("店村", "dian"), ("屯村", "tun")]
TOWN_ENDINGS = [("镇", ""), ("街道", "jd"), ("乡", "xiang")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田董潘袁于蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志强海燕红梅文春晓东立新淑珍凤英德胜永刚丽华振华金凤广才建华秀云玉梅长青学文"
ROOMS = ["理论宣讲室", "道德讲堂", "农家书屋", "文体活动室", "志愿服务站", "图书阅览室", "村史馆", "心理咨询室",
         "儿童之家", "老年日间照料中心", "党员活动室", "文化广场", "健身广场", "非遗传习室", "科普活动室",
         "法律服务室", "新时代讲习所", "乡贤议事厅", "积分超市", "红白理事会议室"]
TEAM_KINDS = {
    "理论宣讲": ["理论宣讲志愿服务队", "百姓宣讲团", "乡贤宣讲队", "党员先锋队"],
    "文化惠民": ["文艺志愿服务队", "秧歌队", "广场舞队", "吕剧票友队", "书画社"],
    "助学支教": ["助学支教志愿服务队", "四点半课堂志愿者", "大学生志愿服务队"],
    "医疗健身": ["医疗健身志愿服务队", "家庭医生志愿服务队", "健身指导队"],
    "科学普及": ["科普志愿服务队", "农技服务队", "防灾减灾宣传队"],
    "法律服务": ["法律服务志愿队", "调解志愿服务队", "普法宣传队"],
    "卫生环保": ["卫生环保志愿服务队", "巾帼志愿服务队", "河湖巡护队"],
    "扶贫帮困": ["邻里互助队", "助老志愿服务队", "红色跑腿队", "爱心帮扶队"],
}
SERVICES = {
    "理论宣讲": [("政策宣讲进院落", "每月一次，可点单邀请宣讲员上门"), ("党史学习分享会", "每季度一次，欢迎群众旁听")],
    "文化惠民": [("文艺演出下基层", "节假日集中演出，可点节目"), ("非遗手工体验", "周末开放，团体请提前预约"),
             ("电影放映", "每月一场，夏季在文化广场露天放映")],
    "助学支教": [("四点半课堂", "工作日放学后开放，辅导作业"), ("暑期托管", "暑假期间周一至周五开放")],
    "医疗健身": [("义诊与健康讲座", "每月一次，社区卫生服务中心医生轮值"), ("测血压血糖", "开放时间内随到随测")],
    "科学普及": [("农技咨询", "农忙季节每周一次，专家到田间指导"), ("防诈骗宣传", "随时点单，宣讲员上门")],
    "法律服务": [("法律咨询", "每周三上午律师志愿者坐班"), ("矛盾纠纷调解", "随时受理，调解员上门")],
    "卫生环保": [("人居环境整治", "每周六上午集中清扫"), ("垃圾分类指导", "志愿者入户讲解")],
    "扶贫帮困": [("助老送餐", "为独居老人每日送餐"), ("代办跑腿", "为行动不便的群众代办事务"),
             ("困难家庭探访", "每月走访一次，记录需求")],
}
PROJECT_WORDS = ["红色", "幸福", "暖心", "邻里", "乡音", "泉城", "书香", "孝善", "和美", "同心", "阳光", "微光",
                 "连心", "快乐", "百姓", "家门口", "田间", "巷口", "梧桐", "莲花"]
PROJECT_NOUNS = ["课堂", "驿站", "宣讲团", "大舞台", "服务队", "积分超市", "百事通", "理事会", "讲习所", "小分队",
                 "志愿岗", "工作室", "议事会", "书屋", "食堂", "夜校"]
HONORS = [("道德模范", "{city}文明委"), ("身边好人", "{city}文明办"), ("最美志愿者", "{city}新时代文明实践中心"),
          ("星级志愿者", "{district}新时代文明实践中心"), ("优秀志愿服务工作者", "{district}文明办"),
          ("孝老爱亲模范", "{city}文明办"), ("最美家庭", "{district}妇联")]
PERSON_ROLES = ["退休教师", "村医", "网格员", "退役军人", "非遗传承人", "返乡大学生", "社区志愿者", "个体工商户",
                "老党员", "妇联主席", "农技员", "民警"]
SENTENCES_STATION = [
    "实践站设在{place}党群服务中心，与村（社区）综合服务设施统筹使用。",
    "站里常年开展理论宣讲、移风易俗、文化惠民和邻里互助活动，群众在家门口就能点单。",
    "志愿者大多是本{kind}的党员、退休教师和返乡青年，{team}是其中最活跃的一支队伍。",
    "{day}是固定活动日，大家在{room}集中开展活动，结束后在群里评单。",
    "近年来，站里把志愿服务积分和“{word}”评选结合起来，院落整洁了，邻里关系也更和睦了。",
    "针对独居老人多的情况，{place}组建了助老小队，按名单每周上门探访。",
    "夏季晚上，文化广场上有广场舞和露天电影，冬季则转到{room}开展读书和书画活动。",
    "站里的服务菜单张贴在公示栏，也可以扫码查看，需要服务时拨打志愿服务电话即可。",
]
SENTENCES_PROJECT = [
    "项目由{station}发起，围绕{category}，把分散的志愿力量组织起来。",
    "每月确定一个主题，志愿者分组进村入户，活动结束后由群众评单。",
    "项目坚持“群众点单、中心派单、志愿者接单”，累计开展活动{n}余场。",
    "骨干志愿者定期参加培训，形成了一套可复制的服务流程。",
    "项目注重与学校、医院、企业等单位合作，让专业力量下沉到基层。",
]
SENTENCES_PERSON = [
    "{name}是{station}的{role}，多年来坚持参加志愿服务。",
    "{surname}{title}热心公益，邻里有事总愿意搭把手，大家都叫{pron}“热心肠”。",
    "{pron}带头组织了助老、助学和环境整治等活动，累计服务时长超过{n}小时。",
    "谈起做志愿者的初衷，{pron}说：“能帮一把是一把，看到大家日子越过越好，心里就踏实。”",
    "在{pron}的带动下，家里人和不少邻居也加入了志愿服务队伍。",
]
CASE_SECTIONS = [
    ("背景", ["{unit}位于{region}，群众对{category}方面的需求日益增多。",
            "过去活动分散、覆盖面小，群众参与热情不高，服务与需求对接不够精准。"]),
    ("主要做法", ["一是摸清需求。志愿者入户走访，建立需求清单，按轻重缓急分类。",
              "二是整合资源。统筹党员、教师、医生、返乡青年等力量，组建{team}。",
              "三是建立机制。实行群众点单、实践站派单、志愿者接单、群众评单，形成闭环。",
              "四是强化保障。落实活动场地、经费和志愿者保险，评选星级志愿者予以激励。"]),
    ("取得成效", ["活动开展以来，累计服务群众{n}余人次，群众满意度明显提高。",
              "相关做法被当地媒体报道，周边村（社区）纷纷前来交流学习。"]),
    ("经验启示", ["新时代文明实践要贴近群众需求，把服务做到家门口、做到心坎上。",
              "只有建立长效机制，志愿服务才能常态长效、可持续。"]),
]
PHOTOS = [("images/center-hall.jpg", "新时代文明实践中心展厅（合成图片）"),
          ("images/station-square.jpg", "实践站文化广场（合成图片）"),
          ("images/reading-room.jpg", "农家书屋（合成图片）"),
          ("images/volunteers.jpg", "志愿者开展服务（合成图片）"),
          ("images/lecture.jpg", "理论宣讲现场（合成图片）"),
          ("images/clinic.jpg", "义诊活动（合成图片）")]
PORTRAITS = [("images/portrait-a.jpg", "人物照片（合成图片）"), ("images/portrait-b.jpg", "人物照片（合成图片）")]


@dataclass
class Preset:
    cities: int  # city centres between the root and the districts (0: the root is the city)
    districts: int
    institutes: int
    stations: int
    projects: int
    people: int
    cases: int
    province: bool = False


PRESETS = {
    "jinan": Preset(cities=0, districts=15, institutes=154, stations=4637, projects=900, people=1500, cases=300),
    "province": Preset(cities=16, districts=226, institutes=2325, stations=70000, projects=13600,
                       people=22600, cases=4500, province=True),
    "small": Preset(cities=0, districts=2, institutes=6, stations=40, projects=10, people=15, cases=8),
}


@dataclass
class Node:
    id: str
    name: str
    short: str
    level: str
    parent: str | None
    region: str
    code: str
    area: str  # phone area code
    kind_word: str = "村"
    place: str = ""
    district: str = ""
    city: str = ""
    children: list = field(default_factory=list)


def q(value: object) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def flow(d: dict) -> str:
    return "{" + ", ".join(f"{k}: {q(v)}" for k, v in d.items() if v not in (None, "")) + "}"


#: Where positions fall (lat min, lat max, lng min, lng max): a city, or 山东省 for the province preset.
POSITION_BOX = {False: (36.2, 37.8, 116.3, 118.2), True: (34.6, 38.2, 115.2, 122.4)}
#: How far (degrees) a district lies from its city, a town from its district, a 站 from its town.
POSITION_SPREAD = {"中心": 0.35, "所": 0.09, "站": 0.05}


class Synth:
    def __init__(self, preset: Preset, seed: int):
        self.p = preset
        self.seed = seed
        self.r = random.Random(seed)
        self.centres: dict[str, tuple[float, float]] = {}
        self.used_ids: set[str] = set()
        self.stations: list[Node] = []
        self.lines_written = 0

    # ------------------------------------------------------------------ helpers
    def uid(self, base: str) -> str:
        base = re.sub(r"-+", "-", base.strip("-"))[:58].strip("-")
        if len(base) < 3:
            base = (base + "-zd")[:58]
        cand, n = base, 2
        while cand in self.used_ids:
            cand = f"{base}-{n}"
            n += 1
        self.used_ids.add(cand)
        return cand

    def place(self, endings) -> tuple[str, str]:
        a, b = self.r.sample(PLACE_SYLLABLES, 2)
        end_zh, end_py = self.r.choice(endings)
        return a[0] + b[0] + end_zh, a[1] + b[1] + end_py

    def person_name(self) -> str:
        n = self.r.choice((1, 2, 2))
        return self.r.choice(SURNAMES) + "".join(self.r.choice(GIVEN) for _ in range(n))

    def phone(self, area: str) -> str:
        digits = 8 if area in ("0531", "0532") else 7
        first = self.r.choice("2345678")
        rest = "".join(self.r.choice("0123456789") for _ in range(digits - 1))
        return f"{area}-{first}{rest}"

    def hours(self) -> str:
        return self.r.choice(["周一至周五 8:30-12:00, 14:00-17:30", "周一至周日 9:00-11:30, 14:30-18:00",
                              "周二至周日 9:00-17:00", "工作日 8:30-17:30，周末预约开放"])

    # Plausible GCJ-02 positions: a district lies within reach of its city, a town within a few
    # kilometres of its district seat, a village or community around its town (the nearby page
    # and the maps need clusters like real ones, not a uniform scatter over the whole city).
    def centre(self, s: Node) -> tuple[float, float]:
        """Where a 中心 or 所 stands; fixed by the seed and the id, whatever else is drawn."""
        got = self.centres.get(s.id)
        if got is None:
            lat0, lat1, lng0, lng1 = POSITION_BOX[bool(self.p.province)]
            rr = random.Random(f"{self.seed}:{s.id}")
            parent = self.by_id.get(s.parent or "")
            if parent is None:
                got = ((lat0 + lat1) / 2, (lng0 + lng1) / 2)
            elif parent.parent is None and self.p.province:  # a city anywhere in the province
                got = (rr.uniform(lat0, lat1), rr.uniform(lng0, lng1))
            else:
                plat, plng = self.centre(parent)
                k = POSITION_SPREAD.get(s.level, 0.05) * (0.5 if parent.parent else 1.0)
                got = (min(lat1, max(lat0, plat + rr.uniform(-k, k))),
                       min(lng1, max(lng0, plng + rr.uniform(-k, k) * 1.25)))
            self.centres[s.id] = got
        return got

    def position(self, s: Node, u: float, v: float) -> tuple[float, float]:
        """A station's position from two draws in [0, 1): a 站 around its 所, others near their seat."""
        if s.level == "站":
            lat, lng = self.centre(self.by_id[s.parent])
            k = POSITION_SPREAD["站"]
        else:
            lat, lng = self.centre(s)
            k = 0.004
        return lat + (u - 0.5) * 2 * k, lng + (v - 0.5) * 2 * k * 1.25

    def split(self, total: int, parts: int) -> list[int]:
        """``total`` items over ``parts`` buckets, uneven but none empty."""
        parts = max(1, min(parts, total)) if total else max(1, parts)
        weights = [self.r.uniform(0.5, 1.5) for _ in range(parts)]
        s = sum(weights)
        counts = [max(1, int(total * w / s)) if total else 0 for w in weights]
        i = 0
        while sum(counts) < total:
            counts[i % parts] += 1
            i += 1
        while sum(counts) > total:
            j = max(range(parts), key=lambda k: counts[k])
            counts[j] -= 1
        return counts

    # ----------------------------------------------------------------- the tree
    def build_tree(self) -> None:
        p = self.p
        if p.province:
            root = Node(self.uid("shandong"), "山东省新时代文明实践中心", "山东省文明实践中心", "中心", None,
                        "山东省", "370000000000", "0531", city="山东省", district="山东省")
            cities = SHANDONG_CITIES[: max(1, p.cities)]
        else:
            root = Node(self.uid("jinan"), "济南市新时代文明实践中心", "济南市文明实践中心", "中心", None,
                        "山东省济南市", "370100000000", "0531", city="济南市", district="济南市")
            cities = []
        self.root = root
        self.stations.append(root)
        district_parents: list[Node] = []
        if cities:
            for ci, (zh, py, area) in enumerate(cities):
                node = Node(self.uid(py), f"{zh}新时代文明实践中心", f"{zh}文明实践中心", "中心", root.id,
                            f"山东省{zh}", f"37{ci + 1:02d}00000000", area, city=zh, district=zh)
                self.stations.append(node)
                district_parents.append(node)
        else:
            district_parents = [root]
        per_parent = self.split(p.districts, len(district_parents))
        districts: list[Node] = []
        di = 0
        for parent, count in zip(district_parents, per_parent):
            for k in range(count):
                if not p.province and di < len(JINAN_DISTRICTS):
                    zh, py = JINAN_DISTRICTS[di]
                else:
                    zh, py = self.place([("区", "qu"), ("县", "xian"), ("市", "shi")])
                code = f"{parent.code[:4]}{(k + 1):02d}000000"
                node = Node(self.uid(py), f"{zh}新时代文明实践中心", f"{zh}文明实践中心", "中心", parent.id,
                            f"{parent.region}{zh}", code, parent.area, city=parent.city, district=zh)
                self.stations.append(node)
                districts.append(node)
                di += 1
        institutes: list[Node] = []
        for d, count in zip(districts, self.split(p.institutes, len(districts))):
            for k in range(count):
                zh, py = self.place(TOWN_ENDINGS)
                node = Node(self.uid(f"{d.id}-{py}"), f"{d.district}{zh}新时代文明实践所", f"{zh}实践所", "所",
                            d.id, f"{d.region}{zh}", f"{d.code[:6]}{100 + k:03d}000", d.area, place=zh,
                            city=d.city, district=d.district)
                self.stations.append(node)
                institutes.append(node)
        self.villages: list[Node] = []
        for inst, count in zip(institutes, self.split(p.stations, len(institutes))):
            for k in range(count):
                zh, py = self.place(VILLAGE_ENDINGS)
                town_py = inst.id.split("-", 1)[-1]
                node = Node(self.uid(f"{town_py}-{py}"), f"{inst.place}{zh}新时代文明实践站", f"{zh}实践站", "站",
                            inst.id, f"{inst.region}{zh}", f"{inst.code[:9]}{200 + k % 800:03d}",
                            inst.area, kind_word="社区" if zh.endswith("社区") else "村", place=zh,
                            city=inst.city, district=inst.district)
                self.stations.append(node)
                self.villages.append(node)
        self.by_id = {s.id: s for s in self.stations}

    # --------------------------------------------------------------- writing
    def write(self, out: Path) -> dict[str, int]:
        content = out / "content"
        if content.exists():
            shutil.rmtree(content)
        for sub in ("stations", "projects", "people", "cases", "casebooks", "activities", "images"):
            (content / sub).mkdir(parents=True, exist_ok=True)
        self.build_tree()
        write_images(content / "images", self.r)
        counts = {"stations": 0, "projects": 0, "people": 0, "cases": 0}
        # a few 站 merged into or closed next to a sibling; a few carry former ids
        n_vill = len(self.villages)
        merged = set(self.r.sample(range(n_vill), max(1, n_vill // 300))) if n_vill > 10 else set()
        closed = set(self.r.sample(sorted(set(range(n_vill)) - merged), max(1, n_vill // 1000))) if n_vill > 10 else set()
        offset = len(self.stations) - n_vill
        for i, s in enumerate(self.stations):
            status = None
            merged_into = None
            k = i - offset
            if s.level == "站" and k in merged:
                status = "merged"
                # into an active sibling 站 when there is one, else into the 所 above
                merged_into = s.parent
                for j in (k - 1, k + 1, k - 2, k + 2):
                    if 0 <= j < n_vill and j not in merged and j not in closed \
                            and self.villages[j].parent == s.parent:
                        merged_into = self.villages[j].id
                        break
            elif s.level == "站" and k in closed:
                status = "closed"
            text = self.station_text(s, status, merged_into)
            (content / "stations" / f"{s.id}.md").write_text(text, encoding="utf-8")
            counts["stations"] += 1
        owners = [s for s in self.stations if s.level in ("中心", "所")] + self.villages
        active_villages = [v for k, v in enumerate(self.villages) if k not in merged and k not in closed] or self.villages
        for k in range(self.p.projects):
            pid, text = self.project_text(k, owners if self.r.random() < 0.3 else active_villages)
            (content / "projects" / f"{pid}.md").write_text(text, encoding="utf-8")
            counts["projects"] += 1
        for k in range(self.p.people):
            pid, text = self.person_text(k, active_villages)
            (content / "people" / f"{pid}.md").write_text(text, encoding="utf-8")
            counts["people"] += 1
        years = [2021, 2022, 2023]
        case_ids: dict[int, list[str]] = {y: [] for y in years}
        for k in range(self.p.cases):
            year = years[k % len(years)]
            cid, text = self.case_text(k, year, active_villages)
            (content / "cases" / str(year)).mkdir(exist_ok=True)
            (content / "cases" / str(year) / f"{cid}.md").write_text(text, encoding="utf-8")
            case_ids[year].append(cid)
            counts["cases"] += 1
        for year in years:
            if case_ids[year]:
                self.write_casebook(content / "casebooks", year)
        self.write_ledger(content / "activities", active_villages)
        write_pages(content, self.root)
        write_settings(out, self.root, self.p.province)
        return counts

    def station_text(self, s: Node, status: str | None, merged_into: str | None) -> str:
        r = self.r
        lines = ["---", f"name: {q(s.name)}", f"short_name: {q(s.short)}", f"level: {s.level}"]
        if s.parent:
            lines.append(f"parent: {s.parent}")
        lines += [f"region: {q(s.region)}", f"division_code: {q(s.code)}",
                  f"address: {q(s.region + r.choice(['党群服务中心', '综合文化服务中心', '便民服务大厅二楼', '新时代文明实践广场']))}",
                  "location: {{lat: {:.5f}, lng: {:.5f}}}".format(*self.position(s, r.random(), r.random()))]
        if status != "closed":
            lines.append(f"phone: {q(self.phone(s.area))}")
        lines += [f"hours: {q(self.hours())}", f"open_day: {q('每月' + str(r.randint(1, 28)) + '日')}",
                  f"manager: {flow({'role': {'中心': '中心主任', '所': '所长', '站': '站长'}[s.level], 'name': self.person_name()})}"]
        rooms = r.sample(ROOMS, r.randint(3, 6))
        lines.append("rooms: [" + ", ".join(q(x) for x in rooms) + "]")
        cats = r.sample(CATEGORIES, r.randint(2, 5 if s.level == "站" else 8))
        lines.append("teams:")
        prefix = s.place or s.district
        for c in cats:
            members = r.randint(8, 60) if s.level == "站" else r.randint(40, 300)
            lines.append(f"  - {flow({'name': prefix + r.choice(TEAM_KINDS[c]), 'category': c, 'members': members})}")
        lines.append("services:")
        for c in cats[: r.randint(2, len(cats))]:
            name, note = r.choice(SERVICES[c])
            lines.append(f"  - {flow({'name': name, 'category': c, 'note': note})}")
        pop = r.randint(600, 8000) if s.level == "站" else r.randint(20000, 1200000)
        lines += [f"population: {pop}",
                  f"established: {dt.date(2018, 10, 1) + dt.timedelta(days=r.randint(0, 900))}"]
        if r.random() < 0.2 or s.level != "站":
            src, cap = r.choice(PHOTOS)
            lines += ["photos:", f"  - {flow({'src': src, 'caption': cap})}"]
        summary = r.choice([f"{s.short}立足{s.place or s.district}实际，常态化开展志愿服务。",
                            f"{s.short}以“{r.choice(PROJECT_WORDS)}”为特色，把文明实践送到群众家门口。",
                            f"{s.short}整合阵地资源，群众点单、志愿者接单，服务精准高效。"])
        lines.append(f"summary: {q(summary)}")
        lines.append("tags: [" + ", ".join(q(t) for t in [s.level, s.district] if t) + "]")
        if status:
            lines.append(f"status: {status}")
        if merged_into:
            lines.append(f"merged_into: {merged_into}")
        if s.level == "站" and r.random() < 0.003:
            lines.append(f"former_ids: [{self.uid(s.id + '-old')}]")
        lines.append("---")
        lines.append("")
        ctx = dict(place=s.place or s.district, kind=s.kind_word, team=prefix + r.choice(TEAM_KINDS[cats[0]]),
                   day=f"每月{r.randint(1, 28)}日", room=r.choice(rooms), word=r.choice(PROJECT_WORDS) + "之家")
        paras = []
        pool = SENTENCES_STATION[:]
        r.shuffle(pool)
        for i in range(r.randint(2, 3)):
            paras.append("".join(t.format(**ctx) for t in pool[i * 2:i * 2 + 2]))
        return "\n".join(lines) + "\n" + "\n\n".join(paras) + "\n"

    def project_text(self, k: int, owners: list[Node]) -> tuple[str, str]:
        r = self.r
        owner = r.choice(owners)
        word, noun = r.choice(PROJECT_WORDS), r.choice(PROJECT_NOUNS)
        name = f"“{word}{noun}”"
        base = (owner.place or owner.district) + name.strip("“”")
        pid = self.uid(f"xm-{owner.id.split('-')[-1]}-{k}")
        cat = r.choice(CATEGORIES)
        level = {"中心": r.choice(["市", "县", "省"]), "所": "所", "站": "站"}[owner.level]
        lines = ["---", f"name: {q(base)}", f"station: {owner.id}", f"category: {q(cat)}", f"level: {q(level)}",
                 f"started: {dt.date(2019, 1, 1) + dt.timedelta(days=r.randint(0, 1400))}",
                 f"summary: {q(f'{owner.short}打造的{cat}品牌，{r.choice(SENTENCES_PROJECT[1:])[:-1]}')}"]
        if r.random() < 0.3:
            lines += ["awards:", f"  - {flow({'title': f'{owner.city}优秀志愿服务项目', 'year': r.randint(2019, 2023), 'by': owner.city + '文明办'})}"]
        if r.random() < 0.4:
            src, cap = r.choice(PHOTOS)
            lines += ["photos:", f"  - {flow({'src': src, 'caption': cap})}"]
        lines += [f"tags: [{q(cat)}, {q(owner.district)}]", "---", ""]
        ctx = dict(station=owner.name, category=cat, n=r.randint(20, 400))
        body = "".join(t.format(**ctx) for t in r.sample(SENTENCES_PROJECT, 3))
        body2 = "".join(t.format(**ctx) for t in r.sample(SENTENCES_PROJECT, 2))
        return pid, "\n".join(lines) + "\n" + body + "\n\n" + body2 + "\n"

    def person_text(self, k: int, villages: list[Node]) -> tuple[str, str]:
        r = self.r
        st = r.choice(villages)
        name = self.person_name()
        pid = self.uid(f"rw-{st.id.split('-')[-1]}-{k}")
        honors = r.sample(HONORS, r.randint(1, 3))
        lines = ["---", f"name: {q(name)}", "honors:"]
        for title, by in honors:
            lines.append(f"  - {flow({'title': title, 'year': r.randint(2019, 2023), 'by': by.format(city=st.city, district=st.district)})}")
        role = r.choice(PERSON_ROLES)
        lines += [f"station: {st.id}", f"summary: {q(f'{st.place}{role}，热心志愿服务多年。')}"]
        if r.random() < 0.5:
            src, cap = r.choice(PORTRAITS)
            lines.append(f"photo: {flow({'src': src, 'caption': cap})}")
        lines += ["consent: true", f"tags: [{q(honors[0][0])}]", "---", ""]
        pron = r.choice(["他", "她"])
        ctx = dict(name=name, station=st.name, role=role, surname=name[0],
                   title="老师" if role == "退休教师" else ("大姐" if pron == "她" else "大哥"),
                   pron=pron, n=r.randint(200, 3000))
        paras = ["".join(t.format(**ctx) for t in SENTENCES_PERSON[:2]),
                 "".join(t.format(**ctx) for t in SENTENCES_PERSON[2:])]
        return pid, "\n".join(lines) + "\n" + "\n\n".join(paras) + "\n"

    def case_text(self, k: int, year: int, villages: list[Node]) -> tuple[str, str]:
        r = self.r
        st = r.choice(villages)
        cat = r.choice(CATEGORIES)
        word, noun = r.choice(PROJECT_WORDS), r.choice(PROJECT_NOUNS)
        cid = self.uid(f"al-{year}-{st.id.split('-')[-1]}-{k}")
        stations = [st.id] + ([st.parent] if r.random() < 0.3 and st.parent else [])
        title = f"{r.choice(['用心', '用情', '聚力', '携手'])}{r.choice(['打造', '擦亮', '办好'])}“{word}{noun}”——{st.name.replace('新时代文明实践站', '')}{cat}工作纪实"
        lines = ["---", f"title: {q(title)}", f"year: {year}", f"category: {q(cat)}",
                 "stations: [" + ", ".join(stations) + "]",
                 f"author: {q(st.short + ' ' + self.person_name())}", f"source: {q(st.district + '新时代文明实践中心供稿')}",
                 f"summary: {q(f'{st.short}围绕{cat}，建立群众点单、志愿者接单的服务机制，打造“{word}{noun}”品牌。')}",
                 f"order: {k}"]
        if r.random() < 0.6:
            src, cap = r.choice(PHOTOS)
            lines += ["photos:", f"  - {flow({'src': src, 'caption': cap})}"]
        lines += [f"tags: [{q(cat)}]", "---", ""]
        ctx = dict(unit=st.name, region=st.region, category=cat, team=f"“{word}{noun}”志愿服务队",
                   n=r.randint(500, 20000))
        parts = []
        for head, sents in CASE_SECTIONS:
            parts.append(f"## {head}\n\n" + "\n\n".join(s.format(**ctx) for s in sents))
        return cid, "\n".join(lines) + "\n" + "\n\n".join(parts) + "\n"

    def write_casebook(self, folder: Path, year: int) -> None:
        chapters = [("理论宣讲篇", CATEGORIES[0:2]), ("助学健康篇", CATEGORIES[2:4]),
                    ("法治科普篇", CATEGORIES[4:6]), ("民生服务篇", CATEGORIES[6:8])]
        city = self.root.name.replace("新时代文明实践中心", "")
        lines = [f"title: {q(city + '新时代文明实践案例选编')}", f"subtitle: {q(str(year))}",
                 f"editor: {q(self.root.name + ' 编')}", f"preface: casebooks/{year}-preface.md",
                 f"afterword: casebooks/{year}-afterword.md", f"select: {{year: {year}}}", "chapters:"]
        for title, cats in chapters:
            lines.append(f"  - {{title: {q(title)}, categories: [{', '.join(q(c) for c in cats)}]}}")
        lines += ["paper: A4"]
        (folder / f"{year}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / f"{year}-preface.md").write_text(
            f"---\ntitle: 前言\n---\n\n本书收录{city}{year}年度新时代文明实践典型案例（合成数据，用于性能测试）。\n",
            encoding="utf-8")
        (folder / f"{year}-afterword.md").write_text(
            "---\ntitle: 后记\n---\n\n感谢各实践所、站提供案例材料（合成数据）。\n", encoding="utf-8")

    def write_ledger(self, folder: Path, villages: list[Node]) -> None:
        r = self.r
        rows = ["date,station,title,category,participants,volunteers,hours"]
        for v in r.sample(villages, max(1, len(villages) // 5)):
            cat = r.choice(CATEGORIES)
            day = dt.date(2023, 1, 1) + dt.timedelta(days=r.randint(0, 364))
            title = r.choice(SERVICES[cat])[0]
            rows.append(f"{day},{v.id},{title},{cat},{r.randint(10, 200)},{r.randint(2, 30)},{r.choice([1.0, 1.5, 2.0, 3.0])}")
        (folder / "2023.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def write_images(folder: Path, r: random.Random) -> None:
    """A few shared photos: smooth colour fields with shapes, small JPEG files."""
    from PIL import Image, ImageDraw

    for i, (src, _) in enumerate(PHOTOS + PORTRAITS):
        w, h = (1200, 800) if i < len(PHOTOS) else (600, 800)
        base = (r.randint(60, 200), r.randint(60, 200), r.randint(60, 200))
        im = Image.new("RGB", (w, h), base)
        d = ImageDraw.Draw(im)
        for y in range(0, h, 8):
            shade = tuple(max(0, min(255, c + (y * 60) // h - 30)) for c in base)
            d.rectangle([0, y, w, y + 8], fill=shade)
        for _ in range(12):
            x0, y0 = r.randint(0, w), r.randint(0, h)
            size = r.randint(40, 240)
            color = (r.randint(0, 255), r.randint(0, 255), r.randint(0, 255))
            d.ellipse([x0, y0, x0 + size, y0 + size], fill=color)
        im.save(folder / Path(src).name, "JPEG", quality=82)


def write_pages(content: Path, root: Node) -> None:
    city = root.name.replace("新时代文明实践中心", "")
    (content / "index.md").write_text(
        f"---\ntitle: 首页\n---\n\n# {city}新时代文明实践\n\n"
        "> 本站为**合成数据**，由 benchmarks/synth.py 生成，用于性能测试；名称、电话均为虚构。\n\n"
        "在这里可以查到各级新时代文明实践中心、实践所和实践站的开放时间、服务菜单和志愿服务电话。\n",
        encoding="utf-8")
    (content / "about.md").write_text(
        "---\ntitle: 关于本站\n---\n\n# 关于本站\n\n本站内容为合成数据，仅用于测试网站生成的速度。\n", encoding="utf-8")


def write_settings(out: Path, root: Node, province: bool) -> None:
    """mkdocs.yml from the repository's own, with this network's name, URL and root."""
    src = REPO / "mkdocs.yml"
    text = src.read_text(encoding="utf-8")
    name = root.name.replace("新时代文明实践中心", "") + "新时代文明实践(合成数据)"
    text = re.sub(r"(?m)^site_name:.*$", f"site_name: {name}", text)
    url = "https://wm-bench.example.org/"
    if re.search(r"(?m)^site_url:", text):
        text = re.sub(r"(?m)^site_url:.*$", f"site_url: {url}", text)
    else:
        text = f"site_url: {url}\n" + text
    text = re.sub(r"(?m)^site_description:.*$", "site_description: 合成数据,用于性能测试", text)
    text = re.sub(r"(?m)^docs_dir:.*$", "docs_dir: content", text)
    text = re.sub(r"(?m)^site_dir:.*$", "site_dir: site", text)
    text = re.sub(r"(?m)^(\s+root:).*$", rf"\1 {root.id}", text)
    text = re.sub(r"(?m)^(\s+profile:).*$", r"\1 shandong-2022", text)
    text = re.sub(r"(?m)^(\s+)(qr_lock|cache_dir):.*\n", "", text)
    (out / "mkdocs.yml").write_text(text, encoding="utf-8")
    themes = REPO / "themes"
    if themes.is_dir():
        if (out / "themes").exists():
            shutil.rmtree(out / "themes")
        shutil.copytree(themes, out / "themes")
    else:
        (out / "themes").mkdir(exist_ok=True)
    # files that mkdocs.yml names under docs_dir (extra_css and the like) come along
    for m in re.finditer(r"(?m)^\s*-\s*([\w./-]+\.(?:css|js))\s*$", text):
        rel = m.group(1)
        if (REPO / "content" / rel).is_file():
            (out / "content" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / "content" / rel, out / "content" / rel)


def scaled(preset: Preset, stations: int | None) -> Preset:
    if not stations:
        return preset
    f = stations / preset.stations

    def s(n: int, lo: int = 1) -> int:
        return max(lo, round(n * f))

    return Preset(cities=preset.cities, districts=s(preset.districts), institutes=s(preset.institutes),
                  stations=stations, projects=s(preset.projects, 0), people=s(preset.people, 0),
                  cases=s(preset.cases, 0), province=preset.province)


def synthesize(out: Path, preset: str = "jinan", seed: int = 2019, stations: int | None = None,
               **overrides: int | None) -> dict[str, int]:
    """Write the project under ``out``; returns record counts per kind."""
    p = scaled(PRESETS[preset], stations)
    for k, v in overrides.items():
        if v is not None:
            setattr(p, k, v)
    out.mkdir(parents=True, exist_ok=True)
    return Synth(p, seed).write(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a synthetic wenming project (valid under SPEC v1).")
    ap.add_argument("out", type=Path, help="output project folder (its content/ is replaced)")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="jinan")
    ap.add_argument("--stations", type=int, help="number of 站; the other counts scale with it")
    ap.add_argument("--institutes", type=int)
    ap.add_argument("--districts", type=int)
    ap.add_argument("--projects", type=int)
    ap.add_argument("--people", type=int)
    ap.add_argument("--cases", type=int)
    ap.add_argument("--seed", type=int, default=2019)
    a = ap.parse_args(argv)
    counts = synthesize(a.out, a.preset, a.seed, a.stations, institutes=a.institutes, districts=a.districts,
                        projects=a.projects, people=a.people, cases=a.cases)
    print(f"wrote {a.out}: " + ", ".join(f"{v} {k}" for k, v in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
