//! What every page template gets: the language, the user, the CSRF token and the navigation,
//! plus helpers for forms (values and translated field errors) and lists (pager).

use std::collections::HashMap;

use askama::Template;
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Response};
use minecoop_domain::FieldErrors;
use minecoop_domain::auth::Principal;

use crate::error::{AppResult, field_message, urlencode};
use crate::i18n::Lang;
use crate::session::Viewer;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// A group of the main menu: its pages, and other paths that belong to it (a record's pages
/// under another prefix).
struct NavGroup {
    label: &'static str,
    pages: Vec<(&'static str, &'static str)>,
    also: &'static [&'static str],
}

/// The main menu for a user: one row of groups (each linking to its first page) and, under it,
/// the pages of the group the user is in. Two short rows instead of twenty links: light on a
/// phone, no script, and every page two clicks from anywhere.
fn navigation(p: &Principal, lang: Lang, path: &str) -> (Vec<NavItem>, Vec<NavItem>) {
    let on = |href: &str| {
        if href == "/" {
            path == "/"
        } else {
            path == href || path.starts_with(&format!("{href}/")) || path.starts_with(&format!("{href}?"))
        }
    };
    let mut registry = vec![("/members", "nav-members"), ("/mines", "nav-mines")];
    if p.can_view_people() {
        registry.push(("/people", "nav-people"));
    }
    // The bureau sees the workers' insurance as figures, never the people.
    let workforce = if p.can_view_any_workers() {
        vec![("/workers", "nav-workers"), ("/insurance", "nav-insurance"), ("/claims", "nav-claims")]
    } else {
        vec![("/insurance", "nav-insurance")]
    };
    let mut system = Vec::new();
    if p.can_view_audit_log() {
        system.push(("/audit", "nav-audit"));
    }
    if p.can_manage_users() {
        system.push(("/admin/users", "nav-users"));
        system.push(("/admin/outbox", "nav-outbox"));
    }
    system.push(("/api/docs", "nav-api"));
    let groups = [
        NavGroup { label: "nav-home", pages: vec![("/", "nav-home")], also: &["/alerts", "/account"] },
        NavGroup { label: "nav-group-registry", pages: registry, also: &[] },
        NavGroup {
            label: "nav-licences",
            pages: vec![("/licences", "nav-licences"), ("/map", "map-title"), ("/disputes", "nav-disputes")],
            also: &[],
        },
        NavGroup {
            label: "nav-production",
            pages: vec![
                ("/production", "nav-production"),
                ("/samples", "nav-samples"),
                ("/qc", "nav-qc"),
                ("/reports/grades", "nav-reports"),
                ("/calculators", "nav-calculators"),
            ],
            also: &["/reports", "/metallurgy"],
        },
        NavGroup {
            label: "nav-safety",
            pages: vec![
                ("/safety", "nav-safety"),
                ("/safety/incidents", "incidents-title"),
                ("/safety/actions", "actions-title"),
                ("/inspections", "nav-inspections"),
                ("/hazards", "nav-hazards"),
                ("/safety/explosives", "explosives-title"),
            ],
            also: &["/findings"],
        },
        NavGroup { label: "nav-workers", pages: workforce, also: &[] },
        NavGroup { label: "nav-grievances", pages: vec![("/grievances", "nav-grievances")], also: &[] },
        NavGroup { label: "nav-group-system", pages: system, also: &["/admin"] },
    ];
    let mut nav = Vec::new();
    let mut subnav = Vec::new();
    for g in groups {
        let current = g.pages.iter().any(|(href, _)| on(href)) || g.also.iter().any(|a| on(a));
        if current && g.pages.len() > 1 {
            // The most specific page is the current one (/safety/incidents, not /safety).
            let best = g.pages.iter().filter(|(href, _)| on(href)).map(|(href, _)| href.len()).max();
            subnav = g
                .pages
                .iter()
                .map(|(href, key)| NavItem { href, label: lang.t(key), current: Some(href.len()) == best && on(href) })
                .collect();
        }
        let label = if g.label == "nav-workers" && g.pages.len() == 1 { "nav-insurance" } else { g.label };
        nav.push(NavItem { href: g.pages[0].0, label: lang.t(label), current });
    }
    (nav, subnav)
}

/// Page context, built per request from the [`Viewer`].
pub struct Ctx {
    pub lang: Lang,
    pub principal: Option<Principal>,
    pub display_name: String,
    pub csrf: String,
    pub path: String,
    /// Path and query, for "come back here" links (language switch, login).
    pub here: String,
    /// The main menu's groups.
    pub nav: Vec<NavItem>,
    /// The pages of the group this page is in (empty when it has only one).
    pub subnav: Vec<NavItem>,
    pub notice: Option<String>,
    /// Unread alerts, for the bell.
    pub unread_alerts: u64,
}

impl Ctx {
    pub fn new(v: &Viewer, uri: &Uri) -> Ctx {
        let path = uri.path().to_owned();
        let here = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| path.clone());
        let lang = v.lang;
        let (nav, subnav) = match &v.principal {
            Some(p) => navigation(p, lang, &path),
            None => (Vec::new(), Vec::new()),
        };
        Ctx {
            lang,
            principal: v.principal.clone(),
            display_name: v.user.as_ref().map(|u| u.username.clone()).unwrap_or_default(),
            csrf: v.csrf.clone(),
            path,
            here,
            nav,
            subnav,
            notice: None,
            unread_alerts: v.unread_alerts,
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    pub fn t1(&self, key: &str, name: &str, value: &dyn std::fmt::Display) -> String {
        self.lang.t_args(key, &[(name, value.to_string())])
    }

    /// The label of a record's field in history tables (`field-<name>`), or the name itself.
    pub fn field_label(&self, name: &str) -> String {
        let key = format!("field-{name}");
        if self.lang.has(&key) { self.t(&key) } else { name.to_owned() }
    }

    pub fn role_label(&self) -> String {
        self.principal.as_ref().map(|p| self.t(&format!("role-{}", p.role.as_str()))).unwrap_or_default()
    }

    /// Link that switches language and comes back to this page.
    pub fn lang_href(&self, code: &str) -> String {
        format!("/lang/{code}?next={}", urlencode(&self.here))
    }

    pub fn is_lang(&self, code: &str) -> bool {
        self.lang.code() == code
    }

    /// The bell's label for screen readers and tooltips.
    pub fn bell_label(&self) -> String {
        self.lang.t_args("alerts-bell-unread", &[("count", self.unread_alerts.to_string())])
    }

    pub fn with_notice(mut self, key: &str) -> Ctx {
        self.notice = Some(self.t(key));
        self
    }
}

/// Render a template as an HTML response.
pub fn render<T: Template>(t: &T) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

/// A form's submitted values and its translated field errors.
#[derive(Default)]
pub struct FormState {
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl FormState {
    pub fn new(values: impl IntoIterator<Item = (&'static str, String)>) -> FormState {
        FormState { values: values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(), errors: HashMap::new() }
    }

    /// Values under names made at run time (e.g. one field per element of the co-op's list).
    pub fn from_pairs(values: Vec<(String, String)>) -> FormState {
        FormState { values: values.into_iter().collect(), errors: HashMap::new() }
    }

    /// The values of a form's input struct (every field a string), by field name.
    pub fn of<T: serde::Serialize>(input: &T) -> FormState {
        let values = match serde_json::to_value(input) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k, s)),
                    _ => None,
                })
                .collect(),
            _ => HashMap::new(),
        };
        FormState { values, errors: HashMap::new() }
    }

    pub fn with_errors(mut self, lang: Lang, errors: &FieldErrors) -> FormState {
        for e in &errors.0 {
            self.errors.entry(e.field.clone()).or_insert_with(|| field_message(lang, e));
        }
        self
    }

    pub fn v(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    pub fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Whether a comma-separated multi-value field contains `code`.
    pub fn has(&self, field: &str, code: &str) -> bool {
        self.v(field).split(',').any(|c| c.trim() == code)
    }
}

/// Links of a pager, keeping the other query parameters.
pub struct Pager {
    pub page: u64,
    pub pages: u64,
    pub total: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn summary(&self, lang: &Lang) -> String {
        lang.t_args(
            "pager-summary",
            &[("page", self.page.to_string()), ("pages", self.pages.to_string()), ("total", self.total.to_string())],
        )
    }

    pub fn new(path: &str, params: &[(&str, String)], page: u64, pages: u64, total: u64) -> Pager {
        let link = |p: u64| {
            let mut q: Vec<String> =
                params.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
            q.push(format!("page={p}"));
            format!("{path}?{}", q.join("&"))
        };
        Pager {
            page,
            pages,
            total,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use minecoop_domain::auth::Role;
    use uuid::Uuid;

    use super::*;

    fn who(role: Role) -> Principal {
        Principal { user_id: Uuid::nil(), username: "u".into(), role, member_id: None, mine_id: None }
    }

    fn current(items: &[NavItem]) -> Vec<&'static str> {
        items.iter().filter(|i| i.current).map(|i| i.href).collect()
    }

    #[test]
    fn the_menu_shows_the_groups_and_the_current_groups_pages() {
        let (nav, sub) = navigation(&who(Role::Admin), Lang::En, "/safety/incidents/0192");
        assert_eq!(current(&nav), ["/safety"]);
        assert_eq!(current(&sub), ["/safety/incidents"], "the most specific page, not /safety");
        assert!(sub.iter().any(|i| i.href == "/inspections"));
        let (nav, sub) = navigation(&who(Role::Admin), Lang::En, "/findings/1");
        assert_eq!((current(&nav), current(&sub)), (vec!["/safety"], vec![]));
        // Home has one page: no second row. A path that merely starts like a page is not it.
        let (nav, sub) = navigation(&who(Role::Admin), Lang::En, "/");
        assert_eq!((current(&nav), sub.len()), (vec!["/"], 0));
        let (nav, _) = navigation(&who(Role::Admin), Lang::En, "/minesweeper");
        assert!(current(&nav).is_empty());
        // The bureau: insurance figures, never the workers; no user administration.
        let (nav, sub) = navigation(&who(Role::Bureau), Lang::En, "/insurance/coverage");
        assert!(nav.iter().all(|i| i.href != "/workers" && i.href != "/admin/users"));
        let ins = nav.iter().find(|i| i.href == "/insurance").unwrap();
        assert!(ins.current && ins.label == "Insurance");
        assert!(sub.is_empty());
    }
}
