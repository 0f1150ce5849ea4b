"""Every header and sheet name kpidesign has written into a workbook, by stable id (the text key it was written
from): a workbook imports back whatever the screens call a column now. Rewording a label in kpidesign.i18n adds the new
wording to what is read; the old wording stays here, so workbooks written before still import. Never remove a label."""

from __future__ import annotations

WRITTEN: dict[str, tuple[str, ...]] = {
    "col_id": ("ID", "Id"),
    "name": ("名前", "Name"),
    "parent": ("親", "Parent"),
    "depth": ("階層", "Level"),
    "layer": ("層", "Layer"),
    "sensitivity": ("感応度", "Sensitivity"),
    "unit": ("単位", "Unit"),
    "baseline": ("現状値", "Baseline"),
    "target": ("目標値", "Target"),
    "deadline": ("期限", "Deadline"),
    "col_formula": ("式", "Formula"),
    "expression": ("計算式（言葉で）", "Formula in words"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "period": ("集計期間", "Period"),
    "source": ("データソース", "Data source"),
    "frequency": ("更新頻度", "Update frequency"),
    "owner": ("責任者", "Owner"),
    "purpose": ("目的（なぜ）", "Purpose (why)"),
    "objective": ("OKRのObjective（任意）", "OKR objective (optional)"),
    "comparisons": ("比較軸", "Comparison axes"),
    "direction": ("方向", "Direction"),
    "green": ("緑の基準", "Green at"),
    "yellow": ("黄の基準", "Yellow at"),
    "query": ("SQLクエリ", "SQL query"),
    "connection": ("接続名", "Connection"),
    "aggregation": ("期間の集計", "Aggregation over a period"),
    "review_name": ("会議名", "Meeting"),
    "cadence": ("頻度", "Cadence"),
    "kpis": ("見るKPI", "KPIs"),
    "participants": ("参加者（カンマ区切り）", "Participants (comma-separated)"),
    "kpi": ("KPI", "KPI"),
    "when": ("発火条件", "Fires at"),
    "channel": ("通知先の種類", "Channel"),
    "to": ("宛先", "To"),
    "action": ("取る行動", "Action"),
    "date": ("日付", "Date"),
    "observe": ("観察（何が起きたか）", "Observe (what happened)"),
    "insight": ("洞察（なぜか・仮説）", "Insight (why, hypothesis)"),
    "act": ("行動（次に何をするか）", "Act (what we try next)"),
    "integrate": ("統合（学びの共有）", "Integrate (the lesson shared)"),
    "value": ("値", "Value"),
    "market": ("市場値", "Market"),
    "col_series": ("系列", "Series"),
    "sheet_cover": ("表紙", "Cover"),
    "sheet_definitions": ("定義表", "Definitions"),
    "sheet_thresholds": ("閾値", "Thresholds"),
    "sheet_monitoring": ("モニタリング", "Monitoring"),
    "sheet_learning": ("学習ログ", "Learning log"),
    "sheet_actuals": ("実績値", "Actuals"),
    "sheet_tree": ("KPIツリー", "KPI tree"),
    "workshop_title": ("ワークショップ名", "Workshop title"),
    "description": ("説明（任意）", "Description (optional)"),
    "col_language": ("言語", "Language"),
    "sheet_agenda": ("アジェンダ", "Agenda"),
    "agenda_col_title": ("項目", "Segment"),
    "agenda_col_step": ("ステップ", "Step"),
    "agenda_col_node": ("問いかけるノード", "Node asked about"),
    "agenda_col_minutes": ("時間（分）", "Minutes"),
    "agenda_col_start": ("開始（予定）", "Planned start"),
    "agenda_col_prompt": ("参加者への問い", "Prompt for the phones"),
    "agenda_total": ("合計", "Total"),
}


# The words a workbook writes for the stable ids of choices (a layer, a frequency, a status…), frozen like the headers:
# a workbook written in either language imports back whatever the screens say later, and an id typed in a cell is read too.
CHOICE_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "layer": {"leading": ("先行指標", "leading"), "intermediate": ("中間指標", "intermediate"), "lagging": ("遅行指標", "lagging")},
    "sensitivity": {"high": ("速い（日・週）", "fast (days, weeks)"), "low": ("遅い（四半期）", "slow (quarters)")},
    "frequency": {
        "daily": ("日次", "daily"),
        "weekly": ("週次", "weekly"),
        "monthly": ("月次", "monthly"),
        "quarterly": ("四半期", "quarterly"),
        "yearly": ("年次", "yearly"),
    },
    "aggregation": {"sum": ("合計", "sum"), "average": ("平均", "average"), "last": ("期末の値", "last value")},
    "direction": {"higher_is_better": ("高いほど良い", "higher is better"), "lower_is_better": ("低いほど良い", "lower is better")},
    "comparisons": {
        "prior_period": ("前期比", "vs prior period"),
        "prior_year": ("前年比", "vs prior year"),
        "target": ("目標比", "vs target"),
        "market": ("市場比", "vs market"),
    },
    "cadence": {
        "daily": ("日次", "daily"),
        "weekly": ("週次", "weekly"),
        "monthly": ("月次", "monthly"),
        "quarterly": ("四半期", "quarterly"),
    },
    "when": {"red": ("赤", "red"), "yellow": ("黄", "yellow"), "out_of_control": ("管理限界外", "out of control")},
    "channel": {"slack": ("Slack", "Slack"), "email": ("メール", "e-mail")},
    "agenda_step": {
        "1": ("1 KGI", "1 KGI"),
        "2": ("2 KPIツリー", "2 KPI tree"),
        "3": ("3 さらに分解", "3 Decompose"),
        "4": ("4 定義と閾値", "4 Definitions"),
        "5": ("5 モニタリング", "5 Monitoring"),
        "room": ("ルーム", "room"),
        "review": ("レビュー", "review"),
    },
    "status": {
        "green": ("緑", "green"),
        "yellow": ("黄", "yellow"),
        "red": ("赤", "red"),
        "no_data": ("データなし", "no data"),
        "none": ("閾値なし", "no threshold"),
    },
}


def choice_word(field: str, code: str | None, lang: str) -> str | None:
    """The word a workbook in lang writes for a choice's id (the id itself when it has no word)."""
    if code is None:
        return None
    pair = CHOICE_WORDS[field].get(code)
    return code if pair is None else pair[0 if lang == "ja" else 1]


def choice_code(field: str, value: object) -> object:
    """The id of a choice read from a cell: a word in either language (any case, spaces trimmed) or the id as it is."""
    if not isinstance(value, str):
        return value
    text = value.strip().casefold()
    for code, pair in CHOICE_WORDS[field].items():
        if text == code or text in (pair[0].casefold(), pair[1].casefold()):
            return code
    return value
