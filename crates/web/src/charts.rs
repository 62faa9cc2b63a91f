//! Charts drawn on the server as SVG (plotters), inlined in the page: nothing to fetch, light
//! on a poor connection, sharp when printed. Text is left to the browser (`<text>` elements),
//! so Chinese labels render in the reader's own fonts. Every chart sits next to a table of the
//! same figures, which is what screen readers and exports use.

use plotters::prelude::*;

/// One line of a chart: its name in the legend and a value per x position (`None`: a gap).
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub color: RGBColor,
}

/// A horizontal reference line (a target or limit).
pub struct Reference {
    pub name: String,
    pub value: f64,
    pub color: RGBColor,
}

pub const BLUE_: RGBColor = RGBColor(0x1f, 0x4e, 0x79);
pub const ORANGE_: RGBColor = RGBColor(0xc5, 0x5a, 0x11);
pub const GREY_: RGBColor = RGBColor(0x59, 0x59, 0x59);
pub const GREEN_: RGBColor = RGBColor(0x37, 0x86, 0x3c);
pub const RED_: RGBColor = RGBColor(0xb0, 0x1c, 0x1c);

/// The most legend entries kept in the plot's corner.
const SIDE_LEGEND: usize = 4;
/// The width of the legend's own column, and the height of each of its rows (px).
const LEGEND_WIDTH: u32 = 170;
const LEGEND_ROW: u32 = 16;

/// A line chart over labelled x positions, with optional reference lines. Returns the SVG
/// markup, or `None` when there is nothing to draw (or drawing failed, which is logged: a
/// report without its chart is better than no report).
pub fn line_chart(
    title: &str,
    y_desc: &str,
    x_labels: &[String],
    series: &[Series],
    references: &[Reference],
) -> Option<String> {
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .chain(references.iter().map(|r| r.value))
        .filter(|v| v.is_finite())
        .collect();
    if x_labels.is_empty() || series.iter().all(|s| s.values.iter().all(Option::is_none)) {
        return None;
    }
    let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.02).max(1e-6);
    let (y0, y1) = ((lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::MIN }), hi + pad);
    let mut svg = String::new();
    let drawn = draw(&mut svg, title, y_desc, x_labels, series, references, y0..y1);
    match drawn {
        Ok(()) => Some(accessible(svg, title)),
        Err(e) => {
            tracing::warn!(error = %e, chart = title, "chart not drawn");
            None
        }
    }
}

fn draw(
    svg: &mut String,
    title: &str,
    y_desc: &str,
    x_labels: &[String],
    series: &[Series],
    references: &[Reference],
    y: std::ops::Range<f64>,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = x_labels.len();
    // Up to SIDE_LEGEND entries sit in the plot's corner; more (a line per mine) get a column of
    // their own beside it, so that they cover no line, and the chart grows to hold them.
    let entries = series.len() + references.len();
    let side = entries > SIDE_LEGEND;
    let height = if side { 300.max(40 + LEGEND_ROW * entries as u32) } else { 300 };
    let root = SVGBackend::with_string(svg, (720, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (plot, legend) = if side { root.split_horizontally(720 - LEGEND_WIDTH) } else { (root.clone(), root.clone()) };
    let mut chart = ChartBuilder::on(&plot)
        .caption(title, ("sans-serif", 16))
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(52)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y)?;
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-9 && i >= 0.0 {
            x_labels.get(i as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(13))
        .x_label_formatter(&label_of)
        .y_desc(y_desc)
        .label_style(("sans-serif", 12))
        .draw()?;
    for r in references {
        let c = r.color;
        chart
            .draw_series(DashedLineSeries::new([(-0.5, r.value), (n as f64 - 0.5, r.value)], 6, 4, c.stroke_width(2)))?
            .label(r.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
    }
    for s in series {
        let c = s.color;
        // A gap in the data is a gap in the line.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) if v.is_finite() => runs.last_mut().map(|r| r.push((i as f64, *v))).unwrap_or_default(),
                _ => runs.push(Vec::new()),
            }
        }
        let mut first = true;
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            let line = chart.draw_series(LineSeries::new(run.clone(), c.stroke_width(2)))?;
            if first {
                line.label(s.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
                first = false;
            }
            chart.draw_series(run.into_iter().map(|p| Circle::new(p, 3, c.filled())))?;
        }
    }
    if side {
        // A reference's swatch is dashed, as its line is.
        let swatches =
            references.iter().map(|r| (&r.name, r.color, true)).chain(series.iter().map(|s| (&s.name, s.color, false)));
        for (i, (name, c, dashed)) in swatches.enumerate() {
            let y = 36 + LEGEND_ROW as i32 * i as i32;
            let dashes: &[(i32, i32)] = if dashed { &[(6, 12), (16, 24)] } else { &[(6, 24)] };
            for (a, b) in dashes {
                legend.draw(&PathElement::new(vec![(*a, y), (*b, y)], c.stroke_width(2)))?;
            }
            legend.draw(&Text::new(name.clone(), (30, y - 6), ("sans-serif", 12)))?;
        }
    } else {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 12))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// Scale with the page and tell assistive technology what the picture is.
fn accessible(svg: String, title: &str) -> String {
    let esc = title.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{esc}\" class=\"chart\" "), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months() -> Vec<String> {
        (1..=12).map(|m| format!("{m:02}")).collect()
    }

    #[test]
    fn draws_lines_references_and_legend_as_svg_text() {
        let s = Series {
            name: "给矿 Zn".into(),
            values: (0..12).map(|i| Some(3.4 + i as f64 / 100.0)).collect(),
            color: BLUE_,
        };
        let t = Series { name: "尾矿 Zn".into(), values: vec![Some(0.28); 12], color: ORANGE_ };
        let r = Reference { name: "目标".into(), value: 0.3, color: RED_ };
        let svg = line_chart("品位 2005", "%", &months(), &[s, t], &[r]).unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"品位 2005\""), "{}", &svg[..80]);
        for text in ["给矿 Zn", "尾矿 Zn", "目标", "品位 2005", "12"] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert!(svg.contains("<polyline") || svg.contains("<path"), "lines are drawn");
    }

    #[test]
    fn many_lines_get_a_legend_column_beside_the_plot() {
        let mines: Vec<Series> = (0..14)
            .map(|i| Series {
                name: format!("矿{i:02}"), values: vec![Some(90.0 + i as f64 / 2.0); 12], color: GREEN_
            })
            .collect();
        let full = Reference { name: "全覆盖".into(), value: 100.0, color: GREY_ };
        let svg = line_chart("覆盖率", "%", &months(), &mines, std::slice::from_ref(&full)).unwrap();
        // 15 rows of 16 px and the caption's 40 fit in 300 px; each name is drawn once, right of
        // the plot (which ends 170 px before the 720 px edge), in its own row.
        assert!(svg.contains("height=\"300\""), "{}", &svg[..200]);
        let xs: Vec<(f64, f64)> = ["全覆盖", "矿00", "矿13"]
            .iter()
            .map(|name| {
                // plotters writes a text's content on a line of its own.
                let content = format!(">\n{name}\n</text>");
                assert_eq!(svg.matches(&content).count(), 1, "{name} once");
                let at = svg.find(&content).unwrap();
                let tag = &svg[svg[..at].rfind("<text").unwrap()..at];
                let attr = |a: &str| -> f64 {
                    let v = &tag[tag.find(&format!(" {a}=\"")).unwrap() + a.len() + 3..];
                    v[..v.find('"').unwrap()].parse().unwrap()
                };
                (attr("x"), attr("y"))
            })
            .collect();
        assert!(xs.iter().all(|(x, _)| *x >= 550.0), "{xs:?}");
        assert!(xs[0].1 < xs[1].1 && xs[1].1 < xs[2].1, "one row each, in order: {xs:?}");
        // Twenty lines make the chart taller rather than crowding it.
        let twenty: Vec<Series> =
            (0..20).map(|i| Series { name: format!("m{i}"), values: vec![Some(1.0); 12], color: BLUE_ }).collect();
        let tall = line_chart("x", "%", &months(), &twenty, &[]).unwrap();
        assert!(tall.contains(&format!("height=\"{}\"", 40 + 16 * 20)), "{}", &tall[..200]);
        // A few lines keep the legend in the plot's corner, as before.
        let few = line_chart("x", "%", &months(), &twenty[..2], &[]).unwrap();
        assert!(few.contains("height=\"300\""));
    }

    #[test]
    fn a_gap_breaks_the_line_and_an_empty_chart_is_none() {
        let mut v = vec![Some(1.0); 12];
        v[5] = None;
        let svg =
            line_chart("x", "%", &months(), &[Series { name: "a".into(), values: v, color: BLUE_ }], &[]).unwrap();
        let runs = svg.lines().filter(|l| l.contains("<polyline") && l.contains("#1F4E79")).count();
        assert_eq!(runs, 3, "two runs either side of the gap, and the legend's swatch:\n{svg}");
        let empty = Series { name: "a".into(), values: vec![None; 12], color: BLUE_ };
        assert!(line_chart("x", "%", &months(), &[empty], &[]).is_none());
    }
}
