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

/// Page context, built per request from the [`Viewer`].
pub struct Ctx {
    pub lang: Lang,
    pub principal: Option<Principal>,
    pub display_name: String,
    pub csrf: String,
    pub path: String,
    /// Path and query, for "come back here" links (language switch, login).
    pub here: String,
    pub nav: Vec<NavItem>,
    pub notice: Option<String>,
    /// Unread alerts, for the bell.
    pub unread_alerts: u64,
}

impl Ctx {
    pub fn new(v: &Viewer, uri: &Uri) -> Ctx {
        let path = uri.path().to_owned();
        let here = uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| path.clone());
        let lang = v.lang;
        let mut nav = Vec::new();
        if let Some(p) = &v.principal {
            let mut add = |href: &'static str, key: &str| {
                let current = if href == "/" { path == "/" } else { path.starts_with(href) };
                nav.push(NavItem { href, label: lang.t(key), current });
            };
            add("/", "nav-home");
            add("/members", "nav-members");
            add("/mines", "nav-mines");
            add("/licences", "nav-licences");
            add("/production", "nav-production");
            add("/samples", "nav-samples");
            add("/qc", "nav-qc");
            add("/reports/grades", "nav-reports");
            add("/calculators", "nav-calculators");
            add("/safety", "nav-safety");
            add("/disputes", "nav-disputes");
            add("/inspections", "nav-inspections");
            add("/hazards", "nav-hazards");
            add("/grievances", "nav-grievances");
            if p.can_view_any_workers() {
                add("/workers", "nav-workers");
            } else {
                // The bureau: policies and coverage figures, no names.
                add("/insurance", "nav-insurance");
            }
            if p.can_view_people() {
                add("/people", "nav-people");
            }
            if p.can_view_audit_log() {
                add("/audit", "nav-audit");
            }
            if p.can_manage_users() {
                add("/admin/users", "nav-users");
                add("/admin/outbox", "nav-outbox");
            }
            add("/api/docs", "nav-api");
        }
        Ctx {
            lang,
            principal: v.principal.clone(),
            display_name: v.user.as_ref().map(|u| u.username.clone()).unwrap_or_default(),
            csrf: v.csrf.clone(),
            path,
            here,
            nav,
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
