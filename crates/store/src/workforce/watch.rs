//! The insurance watch: the alert sent once when a policy nears its end with no successor, and
//! the daily coverage snapshots per mine (written once per day and mine, backfillable from the
//! recorded data) behind the coverage trend.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use minecoop_domain::alerts::AlertKind;
use minecoop_domain::workforce::coverage::{self, PolicySpan, expiry_alert_due, ratio_bp};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use uuid::Uuid;

use super::{POLICY_ENTITY, expiry_alert, policy, snapshot};
use crate::alerts::{Alert, raise_alert};
use crate::{Actor, Store, StoreError, StoreResult, new_id};

pub use snapshot::Model as CoverageSnapshot;

/// The longest run of days one call may write (about three years), so that a mistyped date
/// cannot start an endless backfill.
pub const MAX_SNAPSHOT_DAYS: i64 = 1100;

/// One day of the trend: the figures summed over the mines asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrendPoint {
    pub day: NaiveDate,
    pub active: i64,
    pub covered: i64,
    pub dependants: i64,
    pub dependants_covered: i64,
}

impl TrendPoint {
    pub fn ratio(&self) -> f64 {
        coverage::ratio(self.covered as usize, self.active as usize)
    }
}

impl Store {
    /// Alert the mine's people of each policy ending within 30 days of `today` that no policy
    /// of the same kind takes over without a gap; once per policy (recorded in
    /// `policy_expiry_alerts`). Returns how many policies were alerted.
    pub async fn alert_expiring_policies(&self, today: NaiveDate) -> StoreResult<usize> {
        let all = self.all_policies().await?;
        let sent: HashSet<Uuid> =
            expiry_alert::Entity::find().all(self.conn()).await?.into_iter().map(|a| a.policy_id).collect();
        let span = |p: &super::Policy| PolicySpan { kind: p.kind(), starts_on: p.starts_on, ends_on: p.ends_on };
        let due: Vec<&super::Policy> = all
            .iter()
            .filter(|p| !sent.contains(&p.policy_id))
            .filter(|p| {
                let others: Vec<PolicySpan> =
                    all.iter().filter(|o| o.mine_id == p.mine_id && o.policy_id != p.policy_id).map(span).collect();
                expiry_alert_due(&span(p), &others, today)
            })
            .collect();
        if due.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin(&Actor::system("insurance")).await?;
        for p in &due {
            let row = expiry_alert::ActiveModel {
                id: Set(new_id()),
                policy_id: Set(p.policy_id),
                ends_on: Set(p.ends_on),
                raised_at: Set(tx.now()),
            }
            .insert(tx.conn())
            .await?;
            tx.record("alerted", POLICY_ENTITY, p.policy_id, None::<&()>, Some(&row));
            let alert = Alert {
                kind: AlertKind::PolicyExpiring,
                mine_id: p.mine_id,
                message: "alert-policy-expiring".into(),
                args: vec![
                    ("kind".into(), p.kind.clone()),
                    ("number".into(), p.number.clone()),
                    ("ends".into(), p.ends_on.to_string()),
                    ("days".into(), (p.ends_on - today).num_days().to_string()),
                ],
                link: format!("/insurance/{}", p.policy_id),
                also: Vec::new(),
            };
            raise_alert(&mut tx, &alert).await?;
        }
        tx.commit().await?;
        Ok(due.len())
    }

    /// The current version of every policy of every mine.
    async fn all_policies(&self) -> StoreResult<Vec<super::Policy>> {
        let rows = policy::Entity::find().all(self.conn()).await?;
        let mut by: HashMap<Uuid, super::Policy> = HashMap::new();
        for r in rows {
            if by.get(&r.policy_id).is_none_or(|c| c.version < r.version) {
                by.insert(r.policy_id, r);
            }
        }
        Ok(by.into_values().collect())
    }

    /// Write the coverage snapshot of `day` for every mine with workers (see
    /// [`Store::snapshot_coverage_between`]).
    pub async fn snapshot_coverage(&self, day: NaiveDate) -> StoreResult<usize> {
        self.snapshot_coverage_between(day, day).await
    }

    /// Write the coverage snapshots of each day from `from` to `to` for every mine with workers
    /// recorded, from the recorded data as it is now; a day and mine already written is left as
    /// it is (a second run changes nothing). Returns the number of snapshots written.
    pub async fn snapshot_coverage_between(&self, from: NaiveDate, to: NaiveDate) -> StoreResult<usize> {
        if to < from {
            return Err(StoreError::field("to", "err-end-before-start"));
        }
        if (to - from).num_days() >= MAX_SNAPSHOT_DAYS {
            return Err(StoreError::field("from", "err-too-large"));
        }
        let mut mines: Vec<Uuid> = self.workers(None).await?.iter().map(|w| w.mine_id).collect();
        mines.sort();
        mines.dedup();
        if mines.is_empty() {
            return Ok(0);
        }
        let facts = self.coverage_facts(&mines).await?;
        let mut tx = self.begin(&Actor::system("coverage")).await?;
        // What is written already is read once the transaction holds the writers' lock, so that
        // two runs at the same moment (`serve`'s job and `notify run`) do not both write a day.
        let have: HashSet<(NaiveDate, Uuid)> = snapshot::Entity::find()
            .filter(snapshot::Column::Day.gte(from))
            .filter(snapshot::Column::Day.lte(to))
            .all(tx.conn())
            .await?
            .into_iter()
            .map(|s| (s.day, s.mine_id))
            .collect();
        let now = tx.now();
        let mut rows = Vec::new();
        let mut day = from;
        while day <= to {
            let before = rows.len();
            for (mine, w, p) in &facts {
                if have.contains(&(day, *mine)) {
                    continue;
                }
                let c = coverage::check(w, p, day);
                rows.push(snapshot::ActiveModel {
                    id: Set(new_id()),
                    day: Set(day),
                    mine_id: Set(*mine),
                    active: Set(c.active as i32),
                    covered: Set(c.covered as i32),
                    ratio_bp: Set(ratio_bp(c.covered, c.active)),
                    dependants: Set(c.family.dependants as i32),
                    dependants_covered: Set(c.family.covered as i32),
                    created_at: Set(now),
                });
            }
            if rows.len() > before {
                tx.record(
                    "snapshot",
                    "coverage_snapshot",
                    new_id(),
                    None::<&()>,
                    Some(&serde_json::json!({"day": day, "mines": rows.len() - before})),
                );
            }
            day += Duration::days(1);
        }
        let n = rows.len();
        for chunk in rows.chunks(300) {
            snapshot::Entity::insert_many(chunk.to_vec()).exec_without_returning(tx.conn()).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// The snapshots of `mines` from `from` to `to`, by day then mine.
    pub async fn coverage_snapshots(
        &self,
        mines: &[Uuid],
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<CoverageSnapshot>> {
        let mut out = Vec::new();
        for chunk in mines.chunks(500) {
            out.extend(
                snapshot::Entity::find()
                    .filter(snapshot::Column::MineId.is_in(chunk.iter().copied()))
                    .filter(snapshot::Column::Day.gte(from))
                    .filter(snapshot::Column::Day.lte(to))
                    .order_by_asc(snapshot::Column::Day)
                    .all(self.conn())
                    .await?,
            );
        }
        out.sort_by(|a, b| a.day.cmp(&b.day).then(a.mine_id.cmp(&b.mine_id)));
        Ok(out)
    }
}

/// The co-op's trend from snapshots: per day, the sums over the mines (days without a snapshot
/// are left out).
pub fn trend(snapshots: &[CoverageSnapshot]) -> Vec<TrendPoint> {
    let mut by: std::collections::BTreeMap<NaiveDate, TrendPoint> = std::collections::BTreeMap::new();
    for s in snapshots {
        let p = by.entry(s.day).or_insert(TrendPoint {
            day: s.day,
            active: 0,
            covered: 0,
            dependants: 0,
            dependants_covered: 0,
        });
        p.active += i64::from(s.active);
        p.covered += i64::from(s.covered);
        p.dependants += i64::from(s.dependants);
        p.dependants_covered += i64::from(s.dependants_covered);
    }
    by.into_values().collect()
}
