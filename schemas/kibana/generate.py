#!/usr/bin/env python3
"""Writes the Kibana / OpenSearch Dashboards saved objects of this folder (*.ndjson).

Saved objects nest JSON inside JSON strings (visState, panelsJSON, searchSourceJSON), which is
miserable to edit by hand; the dashboards are described here instead, and this script renders
them. Run it after changing a dashboard:  python3 schemas/kibana/generate.py
Import the files with Kibana's Saved Objects page (or POST /api/saved_objects/_import).
The visualizations are the aggregation-based kind, which Kibana 7/8 and OpenSearch Dashboards
both still read. A unit test checks every field they use exists in schemas/templates.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

DATA_VIEWS = [
    ("app", "Application logs"),
    ("nginx.access", "nginx access logs"),
    ("mysql.slowlog", "MySQL slow queries"),
    ("syslog", "syslog"),
    ("deadletter", "Dead letters (documents the cluster refused)"),
]


def data_view_id(dataset):
    return "logship-logs-" + dataset


def data_view(dataset, name):
    return {
        "id": data_view_id(dataset),
        "type": "index-pattern",
        "attributes": {"title": "logs-%s-*" % dataset, "name": name, "timeFieldName": "@timestamp"},
        "references": [],
    }


def agg(agg_id, agg_type, schema, **params):
    return {"id": str(agg_id), "enabled": True, "type": agg_type, "schema": schema, "params": params}


def visualization(vis_id, title, dataset, vis_type, aggs, params=None, query=""):
    vis_state = {"title": title, "type": vis_type, "params": params or {}, "aggs": aggs}
    search_source = {
        "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index",
        "query": {"query": query, "language": "kuery"},
        "filter": [],
    }
    return {
        "id": vis_id,
        "type": "visualization",
        "attributes": {
            "title": title,
            "description": "",
            "version": 1,
            "uiStateJSON": "{}",
            "visState": json.dumps(vis_state, separators=(",", ":")),
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(search_source, separators=(",", ":"))},
        },
        "references": [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": data_view_id(dataset)}],
    }


def line_params(y_title):
    return {
        "type": "line",
        "addTooltip": True,
        "addLegend": True,
        "legendPosition": "right",
        "seriesParams": [{"show": True, "type": "line", "mode": "normal", "data": {"id": "1", "label": y_title}, "valueAxis": "ValueAxis-1"}],
        "valueAxes": [{"id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value", "position": "left", "show": True,
                       "scale": {"type": "linear", "mode": "normal"}, "title": {"text": y_title}}],
        "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "bottom", "show": True, "title": {}}],
    }


def dashboard(dash_id, title, description, panels, time_from="now-24h"):
    panel_list = []
    refs = []
    for i, (vis_id, x, y, w, h) in enumerate(panels):
        panel_list.append({"panelIndex": str(i + 1), "gridData": {"x": x, "y": y, "w": w, "h": h, "i": str(i + 1)},
                           "version": "7.10.2", "panelRefName": "panel_%d" % i, "embeddableConfig": {}})
        refs.append({"name": "panel_%d" % i, "type": "visualization", "id": vis_id})
    return {
        "id": dash_id,
        "type": "dashboard",
        "attributes": {
            "title": title,
            "description": description,
            "panelsJSON": json.dumps(panel_list, separators=(",", ":")),
            "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}),
            "timeRestore": True,
            "timeFrom": time_from,
            "timeTo": "now",
            "refreshInterval": {"pause": False, "value": 60000},
            "version": 1,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"query": "", "language": "kuery"}, "filter": []})},
        },
        "references": refs,
    }


def mysql_objects():
    top = visualization(
        "logship-mysql-top-fingerprints", "Top query fingerprints by total time", "mysql.slowlog", "table",
        [agg(1, "sum", "metric", field="event.duration", customLabel="total time (ns)"),
         agg(2, "count", "metric", customLabel="queries"),
         agg(3, "percentiles", "metric", field="event.duration", percents=[95], customLabel="p95 (ns)"),
         agg(4, "sum", "metric", field="mysql.slowlog.rows_examined", customLabel="rows examined"),
         agg(5, "terms", "bucket", field="mysql.slowlog.fingerprint", orderBy="1", order="desc", size=20, customLabel="fingerprint")],
        params={"perPage": 20, "showPartialRows": False, "showMetricsAtAllLevels": False})
    p95 = visualization(
        "logship-mysql-p95-latency", "p95 query time over time (top fingerprints)", "mysql.slowlog", "line",
        [agg(1, "percentiles", "metric", field="event.duration", percents=[95]),
         agg(2, "date_histogram", "segment", field="@timestamp", interval="auto", min_doc_count=1, extended_bounds={}),
         agg(3, "terms", "group", field="mysql.slowlog.fingerprint", orderBy="_key", order="desc", size=5,
             orderAgg={"id": "3-orderAgg", "enabled": True, "type": "sum", "schema": "orderAgg", "params": {"field": "event.duration"}})],
        params=line_params("p95 query time (ns)"))
    rows = visualization(
        "logship-mysql-rows-examined", "Rows examined over time", "mysql.slowlog", "histogram",
        [agg(1, "sum", "metric", field="mysql.slowlog.rows_examined"),
         agg(2, "date_histogram", "segment", field="@timestamp", interval="auto", min_doc_count=1, extended_bounds={}),
         agg(3, "terms", "group", field="mysql.slowlog.schema", orderBy="1", order="desc", size=5, missingBucket=True)],
        params={"type": "histogram", "addLegend": True, "legendPosition": "right", "addTooltip": True})
    dash = dashboard("logship-mysql-slow-queries", "MySQL slow queries",
                     "Where the database spends its time: fingerprints ranked by total time, their p95 over time, rows examined.",
                     [(top["id"], 0, 0, 48, 16), (p95["id"], 0, 16, 24, 14), (rows["id"], 24, 16, 24, 14)])
    return [top, p95, rows, dash]


def app_objects():
    query = "log.level : (error or critical or fatal or warn)"
    over_time = visualization(
        "logship-app-errors-over-time", "Errors by level over time", "app", "histogram",
        [agg(1, "count", "metric"),
         agg(2, "date_histogram", "segment", field="@timestamp", interval="auto", min_doc_count=1, extended_bounds={}),
         agg(3, "terms", "group", field="log.level", orderBy="1", order="desc", size=5)],
        params={"type": "histogram", "addLegend": True, "legendPosition": "right", "addTooltip": True}, query=query)
    by_service = visualization(
        "logship-app-errors-by-service", "Errors by service and level", "app", "table",
        [agg(1, "count", "metric", customLabel="events"),
         agg(2, "terms", "bucket", field="service.name", orderBy="1", order="desc", size=25, missingBucket=True, missingBucketLabel="(none)"),
         agg(3, "terms", "bucket", field="log.level", orderBy="1", order="desc", size=5)],
        params={"perPage": 25, "showPartialRows": False, "showMetricsAtAllLevels": False}, query=query)
    per_service = visualization(
        "logship-app-errors-per-service-over-time", "Errors per service over time", "app", "line",
        [agg(1, "count", "metric"),
         agg(2, "date_histogram", "segment", field="@timestamp", interval="auto", min_doc_count=1, extended_bounds={}),
         agg(3, "terms", "group", field="service.name", orderBy="1", order="desc", size=10)],
        params=line_params("errors"), query="log.level : (error or critical or fatal)")
    dash = dashboard("logship-application-errors", "Application errors",
                     "Warnings and errors of the applications, by service and level, over time.",
                     [(over_time["id"], 0, 0, 24, 14), (per_service["id"], 24, 0, 24, 14), (by_service["id"], 0, 14, 48, 16)])
    return [over_time, by_service, per_service, dash]


def nginx_objects():
    # A coordinate map (tile_map), which OpenSearch Dashboards and Kibana 7 draw; Kibana 8 makes
    # maps in its Maps app instead, from the same geo_point field (README, "Kibana").
    where = visualization(
        "logship-nginx-clients-map", "Where requests come from", "nginx.access", "tile_map",
        [agg(1, "count", "metric", customLabel="requests"),
         agg(2, "geohash_grid", "segment", field="source.geo.location", autoPrecision=True, precision=2, useGeocentroid=True,
             isFilteredByCollar=True)],
        params={"mapType": "Scaled Circle Markers", "isDesaturated": True, "addTooltip": True, "heatClusterSize": 1.5,
                "legendPosition": "bottomright", "mapZoom": 2, "mapCenter": [30, 0],
                "wms": {"enabled": False, "options": {"format": "image/png", "transparent": True}}})
    countries = visualization(
        "logship-nginx-top-countries", "Requests by country", "nginx.access", "table",
        [agg(1, "count", "metric", customLabel="requests"),
         agg(2, "terms", "bucket", field="source.geo.country_name", orderBy="1", order="desc", size=15, missingBucket=True,
             missingBucketLabel="(private or unknown)"),
         agg(3, "cardinality", "metric", field="source.ip", customLabel="clients")],
        params={"perPage": 15, "showPartialRows": False, "showMetricsAtAllLevels": False})
    browsers = visualization(
        "logship-nginx-browsers-and-os", "Browsers and OS", "nginx.access", "table",
        [agg(1, "count", "metric", customLabel="requests"),
         agg(2, "terms", "bucket", field="user_agent.name", orderBy="1", order="desc", size=10, missingBucket=True,
             missingBucketLabel="(no user agent)", customLabel="browser"),
         agg(3, "terms", "bucket", field="user_agent.os.name", orderBy="1", order="desc", size=5, missingBucket=True,
             missingBucketLabel="(unknown)", customLabel="OS")],
        params={"perPage": 20, "showPartialRows": False, "showMetricsAtAllLevels": False})
    devices = visualization(
        "logship-nginx-devices", "Requests by device", "nginx.access", "pie",
        [agg(1, "count", "metric"),
         agg(2, "terms", "segment", field="user_agent.device.name", orderBy="1", order="desc", size=8, missingBucket=True,
             missingBucketLabel="(unknown)")],
        params={"type": "pie", "addTooltip": True, "addLegend": True, "legendPosition": "right", "isDonut": True})
    dash = dashboard("logship-nginx-visitors", "nginx visitors",
                     "Who sends the requests: where they are (geoip transform), their browsers, systems and devices (rules: user_agent).",
                     [(where["id"], 0, 0, 30, 18), (countries["id"], 30, 0, 18, 18), (browsers["id"], 0, 18, 30, 16),
                      (devices["id"], 30, 18, 18, 16)])
    return [where, countries, browsers, devices, dash]


def write(name, objects):
    with open(os.path.join(HERE, name), "w") as f:
        for o in objects:
            f.write(json.dumps(o, separators=(",", ":"), sort_keys=True) + "\n")


def main():
    write("data-views.ndjson", [data_view(d, n) for d, n in DATA_VIEWS])
    write("mysql-slow-queries.ndjson", mysql_objects())
    write("application-errors.ndjson", app_objects())
    write("nginx-visitors.ndjson", nginx_objects())


if __name__ == "__main__":
    main()
