//! Store tests. Every test runs on SQLite and on PostgreSQL (see `both_backends!`).
//! One test binary for the crate, so it is linked once.

mod accounts;
mod alerts;
mod audit;
mod cadastre;
mod claims;
mod demo;
mod disputes;
mod grievances;
mod inspections;
mod production;
mod qc;
mod registry;
mod safety;
mod samples;
mod workforce;

use minecoop_domain::registry::{MemberDraft, MemberInput, MineDraft, MineInput};
use minecoop_store::Actor;
use minecoop_store::demo::demo_uscc;

pub fn actor() -> Actor {
    Actor { user_id: None, name: "tester".into() }
}

pub fn member_draft(n: usize, name: &str) -> MemberDraft {
    MemberDraft::parse(&MemberInput {
        name_zh: format!("{name}矿业"),
        name_en: format!("{name} Mining"),
        legal_representative: "王".into(),
        uscc: demo_uscc(100 + n).as_str().into(),
        joined_on: "2004-01-01".into(),
        status: "active".into(),
        ..Default::default()
    })
    .expect("valid member")
}

pub fn mine_draft(member_id: uuid::Uuid, name: &str) -> MineDraft {
    MineDraft::parse(&MineInput {
        member_id: member_id.to_string(),
        name_zh: format!("{name}矿"),
        name_en: format!("{name} Mine"),
        latitude: "26.22".into(),
        longitude: "107.49".into(),
        minerals: "zn".into(),
        mining_method: "underground".into(),
        status: "operating".into(),
    })
    .expect("valid mine")
}
