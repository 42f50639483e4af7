#!/usr/bin/env python3
"""Writes the HR summary's cells (target/hr-cells.json, made by `cargo bench --bench export`)
with Python's XlsxWriter, the reference library Samtale's XLSX writer (rust_xlsxwriter) is a
port of, with the same formats, widths, frozen header and filters, in constant-memory mode as
Samtale does, and prints the best of five runs.

    python3 -m venv /tmp/xw && /tmp/xw/bin/pip install XlsxWriter
    /tmp/xw/bin/python scripts/xlsx-compare.py target/hr-cells.json
"""
import io
import json
import sys
import time

import xlsxwriter


def write(sheets):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    header = book.add_format({"bold": True, "bg_color": "#E8EDF2", "bottom": 1, "text_wrap": True})
    formats = {}
    date = book.add_format({"num_format": 14})
    for sheet in sheets:
        ws = book.add_worksheet(sheet["name"])
        for c, col in enumerate(sheet["columns"]):
            ws.set_column(c, c, col["width"])
        for c, col in enumerate(sheet["columns"]):
            ws.write_string(0, c, col["title"], header)
        for r, row in enumerate(sheet["rows"], start=1):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                if "t" in cell:
                    ws.write_string(r, c, cell["t"])
                elif "n" in cell:
                    f = formats.get(cell["f"])
                    if f is None:
                        f = formats[cell["f"]] = book.add_format({"num_format": cell["f"]})
                    ws.write_number(r, c, cell["n"], f)
                elif "d" in cell:
                    ws.write_string(r, c, cell["d"], date)
        ws.freeze_panes(1, 0)
        if sheet["columns"]:
            ws.autofilter(0, 0, len(sheet["rows"]), len(sheet["columns"]) - 1)
    book.close()
    return out.getvalue()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "target/hr-cells.json"
    with open(path, encoding="utf-8") as f:
        sheets = json.load(f)
    cells = sum((len(s["rows"]) + 1) * len(s["columns"]) for s in sheets)
    best = None
    for _ in range(5):
        started = time.perf_counter()
        data = write(sheets)
        took = time.perf_counter() - started
        best = took if best is None else min(best, took)
    print(f"XlsxWriter {xlsxwriter.__version__}: {cells} cells, {len(data)} bytes, best of 5: {best * 1000:.1f} ms")


if __name__ == "__main__":
    main()
