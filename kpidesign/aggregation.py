"""How a KPI's values over time make one period's value: summed (a flow), averaged (a rate, a score, a price, a
per-unit figure) or the period's last value (a stock or a level).

A definition may say so (`definition.aggregation`); when it does not, the aggregation is inferred from the KPI's
numerator and denominator, its unit and its name (Japanese and English), with a word on whether the inference is
certain: the design review asks the team to confirm an uncertain one, and step 4 shows what was inferred. A KPI with
numerator and denominator is a ratio: over a period it is the sum of its numerators over the sum of its denominators
(the semantic layer, which holds both parts, computes it so); where only the ratio's own values are known, as in the
app's actuals, its period value is their average. Everything that turns observations into one period's value (the
exports, the app's comparisons, why it moved, links, forecast) goes through `effective` and `combine`.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Sequence
from typing import assert_never

from kpidesign.lru import remembered
from kpidesign.model import Aggregation, Node

# Units that say a figure is a rate, a score or per-unit: never summed over time.
_AVERAGE_UNIT = re.compile(r"%|percent|\bpts?\b|\bpoints?\b|ポイント|点|倍|^\s*x\s*$|\bratio\b|割|/|当たり|あたり|\bper\b|score", re.I)
# Names of averaged figures: rates, shares, averages, per-unit figures, prices, scores, durations.
_AVERAGE_NAME = re.compile(
    r"率|割合|シェア|\bshare\b|\brate\b|\bratio\b|平均|average|\bavg\b|\bmean\b|単価|price|料金|\bfee\b|当たり|あたり|"
    r"\bper\b(?!\s*(?:year|month|week|day|quarter|annum)\b)|"
    r"満足度|satisfaction|スコア|score|\bnps\b|\bcsat\b|頻度|frequency|時間|\btime\b|日数|\bdays\b|"
    r"\barp[au]\b|\bltv\b|\bcp[acm]\b|\bcvr\b|\bctr\b|\broas\b|\broi\b|\bnrr\b|\bgrr\b|理解度|好意度|認知度|評価|rating|quality",
    re.I,
)
# Names of stocks and levels: what a count at a date is, whose period value is the period's last one.
_STOCK_NAME = re.compile(
    r"人口|population|期首|期末|月末|月初|時点|残高|balance|在庫|inventory|headcount|従業員数|社員数|在籍|\barr\b|\bmrr\b|"
    r"recurring revenue|累計|cumulative|backlog|受注残|installed base|保有|at the (?:start|end)|(?:start|end) of|\bas of\b",
    re.I,
)
# Names of flows: what happens during the period, summed over it.
_FLOW_NAME = re.compile(
    r"新規|\bnew\b|売上|\bsales\b|revenue|\bgmv\b|受注|\borders?\b|注文|件数|セッション|\bsessions?\b|訪問|\bvisits?\b|"
    r"応募|applications?|採用|\bhires?\b|リード|\bleads?\b|表示回数|impressions?|クリック数|\bclicks?\b|検索数|searches|"
    r"購入数|purchases|獲得|acquired|解約数|churned|年間|月間|週間|日次|\bper\s*(?:year|month|week|day|quarter|annum)\b|"
    r"\bannual\b|\bmonthly\b|\bweekly\b|\bdaily\b|費用|\bcost\b|\bspend\b|利益|profit|出荷|shipments?|問い合わせ|inquiries|"
    r"\bsignups?\b|登録数|ダウンロード|downloads?|\bcalls?\b|架電|商談数|\bdeals?\b",
    re.I,
)
# Counts of people or accounts: probably a level (customers at a date), but it may be a count in the period: uncertain.
_COUNT_NAME = re.compile(
    r"顧客数|顧客社数|ユーザー数|会員|契約数|社数|者数|\bcustomers?\b|\baccounts?\b|\busers?\b|\bmembers?\b|subscribers?|"
    r"\bcontracts?\b|\bpeople\b|\bbuyers?\b",
    re.I,
)
_COUNT_UNIT = re.compile(r"^\s*(?:人|名|社|people|persons?|accounts?|users?|members?|customers?|companies)\s*$", re.I)


def _plain(text: str) -> str:
    """Text as the patterns read it: full-width letters and digits made ASCII (ＡＲＲ is ARR)."""
    return unicodedata.normalize("NFKC", text or "")


def is_ratio(node: Node) -> bool:
    """True when the KPI is defined as a numerator over a denominator (sum over sum, whatever aggregation says)."""
    return bool(node.definition.numerator and node.definition.denominator)


def infer(node: Node) -> tuple[Aggregation, bool]:
    """The aggregation the KPI's numerator/denominator, unit and name suggest, and whether that is certain (the field
    itself is not read: `effective` prefers it)."""
    if is_ratio(node):
        return Aggregation.AVERAGE, True
    return _reading(node.unit, node.name)


# the review reads every KPI after each edit, and the patterns' searches were a third of its rerun at 500 KPIs; a KPI's
# unit and name rarely change between versions (a name past any real KPI's, over 300 characters, is read, never kept)
@remembered(size=4096, longest=300)
def _reading(unit: str, name: str) -> tuple[Aggregation, bool]:
    """infer's reading of a unit and a name."""
    unit, name = _plain(unit), _plain(name)
    if _AVERAGE_UNIT.search(unit):
        return Aggregation.AVERAGE, True
    if _AVERAGE_NAME.search(name):
        return Aggregation.AVERAGE, True
    if _STOCK_NAME.search(name):
        return Aggregation.LAST, True
    if _FLOW_NAME.search(name):
        return Aggregation.SUM, True
    if _COUNT_NAME.search(name) or _COUNT_UNIT.search(unit):
        return Aggregation.LAST, False
    return Aggregation.SUM, False


def effective(node: Node) -> Aggregation:
    """The aggregation that applies: the definition's own, else the inferred one."""
    return node.definition.aggregation or infer(node)[0]


def is_inferred_uncertain(node: Node) -> bool:
    """True when the definition leaves the aggregation out and the inference is only a guess (the review asks)."""
    return node.definition.aggregation is None and not is_ratio(node) and not infer(node)[1]


def combine(values: Sequence[float], aggregation: Aggregation) -> float:
    """One period's value from its observations in date order (at least one): their sum, their mean or the last one."""
    if not values:
        raise ValueError("a period without observations has no value")
    match aggregation:
        case Aggregation.SUM:
            return float(sum(values))
        case Aggregation.AVERAGE:
            return float(statistics.fmean(values))
        case Aggregation.LAST:
            return float(values[-1])
        case _:  # a new aggregation must say here how it combines (mypy checks every member is handled)
            assert_never(aggregation)
