//! A plain-text grid: a left-aligned label column and right-aligned value columns.
//!
//! Widths count characters, not bytes, so names such as `Zürich` or `±` do not skew columns.

/// One line of a grid.
pub enum Row {
    /// A section title spanning the grid.
    Heading(String),
    /// A label and one cell per column.
    Cells(String, Vec<String>),
    Blank,
}

pub struct Grid {
    /// Title of the label column, then one per value column.
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

const GAP: &str = "   ";

fn width(s: &str) -> usize {
    s.chars().count()
}

impl Grid {
    pub fn new(headers: Vec<String>) -> Self {
        Grid {
            headers,
            rows: Vec::new(),
        }
    }

    pub fn heading(&mut self, title: impl Into<String>) {
        self.rows.push(Row::Heading(title.into()));
    }

    pub fn row(&mut self, label: impl Into<String>, cells: Vec<String>) {
        self.rows.push(Row::Cells(label.into(), cells));
    }

    pub fn blank(&mut self) {
        self.rows.push(Row::Blank);
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            if let Row::Cells(label, cells) = row {
                widths[0] = widths[0].max(width(label) + 2);
                for (i, c) in cells.iter().enumerate() {
                    if let Some(w) = widths.get_mut(i + 1) {
                        *w = (*w).max(width(c));
                    }
                }
            }
        }
        let mut out = String::new();
        let header_cells: Vec<&str> = self.headers[1..].iter().map(String::as_str).collect();
        line(&mut out, &self.headers[0], &header_cells, &widths, 0);
        let total: usize = widths.iter().sum::<usize>() + GAP.len() * (widths.len() - 1);
        out.push_str(&"-".repeat(total));
        out.push('\n');
        for row in &self.rows {
            match row {
                Row::Heading(t) => {
                    out.push_str(t);
                    out.push('\n');
                }
                Row::Cells(label, cells) => {
                    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                    line(&mut out, label, &cells, &widths, 2);
                }
                Row::Blank => out.push('\n'),
            }
        }
        out
    }
}

fn line(out: &mut String, label: &str, cells: &[&str], widths: &[usize], indent: usize) {
    let mut s = format!("{:indent$}{label}", "");
    let pad = widths[0].saturating_sub(width(&s));
    s.push_str(&" ".repeat(pad));
    for (i, w) in widths.iter().enumerate().skip(1) {
        let c = cells.get(i - 1).copied().unwrap_or("");
        s.push_str(GAP);
        s.push_str(&" ".repeat(w.saturating_sub(width(c))));
        s.push_str(c);
    }
    out.push_str(s.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_by_characters() {
        let mut g = Grid::new(vec!["".into(), "a".into(), "Zürich".into()]);
        g.heading("Cost");
        g.row("mean", vec!["$1.00M".into(), "$2M".into()]);
        let text = g.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "              a   Zürich");
        assert_eq!(lines[2], "Cost");
        assert_eq!(lines[3], "  mean   $1.00M      $2M");
        assert!(
            lines
                .iter()
                .filter(|l| !l.starts_with("Cost") && !l.starts_with('-'))
                .all(|l| l.chars().count() == lines[0].chars().count())
        );
    }
}
