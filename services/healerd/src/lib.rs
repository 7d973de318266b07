pub mod health;
pub mod machine;
pub mod policy;
