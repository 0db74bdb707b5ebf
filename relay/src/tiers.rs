//! Serving priority tiers: one stream of delivery tasks per tier (each its own JetStream
//! consumer), merged so that a free worker takes a `high` task first, then `standard`, then
//! `bulk`, except on a fixed share of picks where the lower tiers go first, so that neither
//! starves under a flood of higher ones.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt};

/// Out of every 10 picks: which tiers (indices, highest = 0) are asked first.
fn order(pick: u64) -> [usize; 3] {
    match pick % 10 {
        9 => [2, 1, 0],
        4 | 7 => [1, 0, 2],
        _ => [0, 1, 2],
    }
}

pub struct Tiered<S> {
    /// Highest tier first.
    tiers: [S; 3],
    ended: [bool; 3],
    picks: u64,
}

impl<S> Tiered<S> {
    pub fn new(tiers: [S; 3]) -> Self {
        Self { tiers, ended: [false; 3], picks: 0 }
    }
}

impl<S: Stream + Unpin> Stream for Tiered<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = &mut *self;
        for tier in order(this.picks) {
            if this.ended[tier] {
                continue;
            }
            match this.tiers[tier].poll_next_unpin(context) {
                Poll::Ready(Some(item)) => {
                    this.picks += 1;
                    return Poll::Ready(Some(item));
                }
                Poll::Ready(None) => this.ended[tier] = true,
                Poll::Pending => {}
            }
        }
        if this.ended.iter().all(|ended| *ended) { Poll::Ready(None) } else { Poll::Pending }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream;

    #[tokio::test]
    async fn high_goes_first_and_lower_tiers_still_get_a_share() {
        let tier = |name: &'static str| stream::iter(std::iter::repeat_n(name, 100)).boxed();
        let picked: Vec<&str> =
            Tiered::new([tier("high"), tier("standard"), tier("bulk")]).take(100).collect().await;
        let count = |name| picked.iter().filter(|picked| **picked == name).count();
        assert_eq!(picked[0], "high");
        assert_eq!((count("high"), count("standard"), count("bulk")), (70, 20, 10));
    }

    #[tokio::test]
    async fn an_empty_tier_gives_its_turn_away() {
        let picked: Vec<u32> = Tiered::new([
            stream::iter(Vec::<u32>::new()).boxed(),
            stream::iter(vec![1, 2]).boxed(),
            stream::iter(vec![3]).boxed(),
        ])
        .collect()
        .await;
        assert_eq!(picked, [1, 2, 3]);
    }
}
