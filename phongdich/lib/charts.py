"""Server-drawn SVG charts (no charting library, nothing fetched at run time): a polyline
with one dot per day, sized by the caller and scaled to the series' top value."""


def line_chart(series, width: int = 560, height: int = 140, pad: int = 24) -> dict:
    """Points of a polyline for [(day, value)]; the template draws it (web/_line_chart.html)."""
    if not series:
        return {"points": "", "width": width, "height": height, "dots": [], "top": 0}
    values = [v or 0 for _d, v in series]
    top = max(values) or 1
    step = (width - 2 * pad) / max(len(series) - 1, 1)
    points = [
        (round(pad + i * step, 1), round(height - pad - (v / top) * (height - 2 * pad), 1))
        for i, v in enumerate(values)
    ]
    return {
        "points": " ".join(f"{x},{y}" for x, y in points),
        "dots": [
            {"x": x, "y": y, "day": d, "value": v}
            for (x, y), (d, v) in zip(points, series, strict=True)
        ],
        "width": width,
        "height": height,
        "top": top,
    }
