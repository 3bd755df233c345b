"""Small builders for Grafana dashboard JSON (schema 39, Grafana 10), so the six
dashboards in specs.py read as lists of panels and queries. build.py writes them."""

import json
import urllib.parse

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}  # never a fixed uid

# Grafana units: ids it knows, or "suffix:<text>" for its custom-suffix unit.
MSGS = "suffix: msg/s"
PER_S = "cps"
RATIO = "percentunit"
SECONDS = "s"
BYTES = "bytes"
BYTES_PER_S = "Bps"
COUNT = "short"


def q(expr, legend="", instant=False, table=False, heatmap=False, ref=None):
    """One PromQL target; ref is filled in by panel()."""
    target = {"expr": expr, "legendFormat": legend, "range": not instant, "instant": instant,
              "datasource": DATASOURCE}
    if table:
        target["format"] = "table"
    if heatmap:
        target["format"] = "heatmap"
    if ref:
        target["refId"] = ref
    return target


def panel(kind, title, targets, unit, description="", w=12, h=8, options=None, field=None,
          transformations=None):
    targets = [dict(t, refId=t.get("refId") or chr(ord("A") + i)) for i, t in enumerate(targets)]
    defaults = {"unit": unit}
    defaults.update(field or {})
    out = {"type": kind, "title": title, "description": description, "datasource": DATASOURCE,
           "targets": targets, "fieldConfig": {"defaults": defaults, "overrides": []},
           "options": options or {}, "gridPos": {"w": w, "h": h}}
    if transformations:
        out["transformations"] = transformations
    return out


def stat(title, targets, unit, description="", w=4, h=4, thresholds=None, decimals=None):
    field = {}
    if thresholds:
        field["thresholds"] = {"mode": "absolute",
                               "steps": [{"color": c, "value": v} for v, c in thresholds]}
    if decimals is not None:
        field["decimals"] = decimals
    return panel("stat", title, targets, unit, description, w, h,
                 {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "value",
                  "graphMode": "area", "textMode": "value_and_name"}, field)


def timeseries(title, targets, unit, description="", w=12, h=8):
    return panel("timeseries", title, targets, unit, description, w, h,
                 {"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull"]},
                  "tooltip": {"mode": "multi", "sort": "desc"}})


def table(title, targets, unit, description="", w=12, h=8):
    return panel("table", title, targets, unit, description, w, h,
                 {"showHeader": True, "sortBy": [{"displayName": "Value", "desc": True}]},
                 transformations=[{"id": "merge", "options": {}},
                                  {"id": "organize", "options": {"excludeByName": {"Time": True}}}])


def bargauge(title, targets, unit, description="", w=12, h=8):
    return panel("bargauge", title, targets, unit, description, w, h,
                 {"orientation": "horizontal", "displayMode": "gradient",
                  "reduceOptions": {"calcs": ["lastNotNull"]}})


def gauge(title, targets, unit, description="", w=6, h=6, minimum=0, maximum=1):
    return panel("gauge", title, targets, unit, description, w, h,
                 {"reduceOptions": {"calcs": ["lastNotNull"]}},
                 {"min": minimum, "max": maximum})


def heatmap(title, target, unit, description="", w=24, h=8):
    return panel("heatmap", title, [target], unit, description, w, h,
                 {"calculate": False, "yAxis": {"unit": unit}, "cellGap": 1,
                  "color": {"mode": "scheme", "scheme": "Oranges"}})


def datasource_variable():
    return {"name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "current": {}, "hide": 0, "refresh": 1, "regex": "",
            "includeAll": False, "multi": False}


def query_variable(name, label, definition, multi=True):
    return {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "definition": definition, "query": {"query": definition, "refId": "variable"},
            "refresh": 2, "sort": 1, "includeAll": multi, "multi": multi,
            "allValue": ".*" if multi else None, "current": {}, "hide": 0}


def layout(panels):
    """Flows panels left to right in Grafana's 24-column grid; ids in order."""
    x = y = row_height = 0
    for number, p in enumerate(panels, start=1):
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if x + w > 24:
            x, y, row_height = 0, y + row_height, 0
        p["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
        p["id"] = number
        x += w
        row_height = max(row_height, h)
    return panels


def traces_link():
    """A link to the spans of sampled requests in Grafana's Explore, on the Jaeger
    data source of dashboards/provisioning/datasources/jaeger.yaml (docs/tracing.md)."""
    left = {"datasource": "agentmon-jaeger", "queries": [{"refId": "A", "queryType": "search"}]}
    return {"type": "link", "title": "Traces (Jaeger)", "icon": "external link", "keepTime": True,
            "tooltip": "Spans of sampled requests (tracing.endpoint; docs/tracing.md)",
            "url": "/explore?left=" + urllib.parse.quote(json.dumps(left, separators=(",", ":")))}


def dashboard(uid, title, description, panels, variables=(), links=()):
    return {
        "uid": uid, "title": title, "description": description,
        "tags": ["agentmon"], "timezone": "browser", "schemaVersion": 39, "version": 1,
        "editable": True, "graphTooltip": 1, "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "annotations": {"list": []},
        # every agentmon dashboard links to the others
        "links": [{"type": "dashboards", "tags": ["agentmon"], "asDropdown": True,
                   "title": "agentmon", "includeVars": True, "keepTime": True}, *links],
        "templating": {"list": [datasource_variable(), *variables]},
        "panels": layout(panels),
    }
