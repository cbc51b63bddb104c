//! The panel of the engine benchmarks, shared by `benches/revdesk.rs` and the numpy peer's
//! helper (`benches/peers/methods_peer.rs`) so both time the same input.

use rand::{Rng, SeedableRng};
use revdesk::engine::Panel;

/// A realistic panel: `ni` nominations, `ne` experts, each expert scoring ~80% of them (the
/// rest recused or not reached), six criteria on 0–10, with per-expert leniency.
pub fn panel(ni: usize, ne: usize) -> Panel {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let experts: Vec<String> = (0..ne).map(|e| format!("e{e:02}")).collect();
    let items: Vec<String> = (0..ni).map(|i| format!("EI-{i:03}")).collect();
    let mut panel = Panel::new(experts.clone(), items.clone(), 6).expect("panel");
    let quality: Vec<f64> = (0..ni).map(|_| rng.random_range(3.0..9.0)).collect();
    for e in &experts {
        let lenient: f64 = rng.random_range(-1.5..1.5);
        for (i, it) in items.iter().enumerate() {
            if rng.random_bool(0.2) {
                continue;
            }
            let c: Vec<f64> = (0..6)
                .map(|_| {
                    (quality[i] + lenient + rng.random_range(-2.0..2.0))
                        .round()
                        .clamp(0.0, 10.0)
                })
                .collect();
            let total = c.iter().sum::<f64>() / 60.0 * 100.0;
            panel.add(e, it, total, c, 1.0).expect("add");
        }
    }
    panel
}
