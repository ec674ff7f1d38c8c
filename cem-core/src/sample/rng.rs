//! The sample's own pseudo-random numbers: SplitMix64 for seeding, xoshiro256** for the
//! stream (Blackman & Vigna, <https://prng.di.unimi.it/>), and the few distributions the
//! generator needs.
//!
//! Why not the `rand` crate: the sample must be byte-identical on every platform and in every
//! version of cem, and `rand` does not promise stable value streams across its releases. The
//! two generators are a dozen lines each and are checked against their published reference
//! outputs below.
//!
//! Floating point: everything here uses only `+ − × ÷`, `sqrt`, `floor` and `round`, which
//! IEEE 754 defines exactly. Transcendental functions of `std` (`ln`, `exp`) call the
//! platform's libm, which may differ in the last bit between platforms, so [`ln`] is written
//! out with basic operations instead.

/// SplitMix64 (Steele, Lea & Flood; Vigna's `splitmix64.c`): a 64-bit counter passed through a
/// strong mixer. Used only to expand a seed into xoshiro state.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0: 256 bits of state, period 2²⁵⁶ − 1, all 64 output bits of good quality.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator for stream `stream` of `seed`: the state is four SplitMix64 outputs from a
    /// starting point that mixes both, so neighbouring streams are unrelated.
    pub(crate) fn for_stream(seed: u64, stream: u64) -> Self {
        let mut mix = SplitMix64::new(seed);
        let base = mix.next_u64();
        let mut sm = SplitMix64::new(base ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let s = [sm.next_u64(), sm.next_u64(), sm.next_u64(), sm.next_u64()];
        Rng::from_state(s)
    }

    /// A generator with the given state (all-zero is replaced: it is the one fixed point).
    pub(crate) fn from_state(s: [u64; 4]) -> Self {
        if s == [0; 4] {
            return Rng {
                s: [0x9E37_79B9_7F4A_7C15, 1, 2, 3],
            };
        }
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.s;
        let result = s1.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s1 << 17;
        let mut n2 = s2 ^ s0;
        let mut n3 = s3 ^ s1;
        let n1 = s1 ^ n2;
        let n0 = s0 ^ n3;
        n2 ^= t;
        n3 = n3.rotate_left(45);
        self.s = [n0, n1, n2, n3];
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in [lo, hi).
    pub(crate) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform integer in 0..n (Lemire's multiply-shift; the bias is below 2⁻³² for the small
    /// `n` used here, which does not matter for a sample). `n == 0` gives 0.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform integer in lo..=hi.
    pub(crate) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.saturating_sub(lo).saturating_add(1).max(1) as u64;
        lo.saturating_add(self.below(span) as i64)
    }

    /// Picks an element of a non-empty slice uniformly (`None` when empty).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }

    /// Index drawn with the given (non-negative, not all zero) weights; the last index when
    /// rounding leaves a remainder.
    pub(crate) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.uniform() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// Approximately standard normal: the Irwin–Hall sum of four uniforms, centred and scaled
    /// to variance 1 (bounded at ±3.46, which suits survey noise).
    pub(crate) fn normal(&mut self) -> f64 {
        let s = self.uniform() + self.uniform() + self.uniform() + self.uniform();
        (s - 2.0) * 1.732_050_807_568_877_2
    }

    /// Exponential with the given mean.
    pub(crate) fn exponential(&mut self, mean: f64) -> f64 {
        -mean * ln(1.0 - self.uniform())
    }
}

/// Natural logarithm from basic operations only (bit-exact on every platform): split
/// x = m·2ᵉ with m in [√½, √2), then ln m = 2·atanh(s), s = (m−1)/(m+1), |s| < 0.172, by its
/// series to s²³ (relative error below 1e-16). Returns `-inf`-like large negatives for 0 and
/// is not meant for negative input.
pub(crate) fn ln(x: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    if x <= 0.0 || !x.is_finite() {
        return -745.0; // below ln of the smallest subnormal: "minus infinity" for our uses
    }
    let bits = x.to_bits();
    let mut e = ((bits >> 52) & 0x7FF) as i64 - 1023;
    let mut m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000);
    if e == -1023 {
        // subnormal: normalise through a multiplication by 2^54
        return ln(x * 18_014_398_509_481_984.0) - 54.0 * LN2;
    }
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    while k < 24.0 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    2.0 * sum + e as f64 * LN2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_implementation() {
        // First outputs of Vigna's splitmix64.c for this seed, as published in the test
        // `reference` of the rand_xoshiro crate.
        let mut sm = SplitMix64::new(1_477_776_061_723_855_037);
        let expected: [u64; 5] = [
            1_985_237_415_132_408_290,
            2_979_275_885_539_914_483,
            13_511_426_838_097_143_398,
            8_488_337_342_461_049_707,
            15_141_737_807_933_549_159,
        ];
        for e in expected {
            assert_eq!(sm.next_u64(), e);
        }
    }

    #[test]
    fn xoshiro256starstar_matches_the_reference_implementation() {
        // Outputs of Vigna's xoshiro256starstar.c from the state {1, 2, 3, 4}, as published in
        // the test `reference` of the rand_xoshiro crate.
        let mut rng = Rng::from_state([1, 2, 3, 4]);
        let expected: [u64; 10] = [
            11_520,
            0,
            1_509_978_240,
            1_215_971_899_390_074_240,
            1_216_172_134_540_287_360,
            607_988_272_756_665_600,
            16_172_922_978_634_559_625,
            8_476_171_486_693_032_832,
            10_595_114_339_597_558_777,
            2_904_607_092_377_533_576,
        ];
        for e in expected {
            assert_eq!(rng.next_u64(), e);
        }
    }

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::for_stream(42, 0);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::for_stream(42, 1);
                move |_| r.next_u64()
            })
            .collect();
        let a2: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::for_stream(42, 0);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, a2);
        assert_ne!(a, b);
    }

    #[test]
    fn ln_agrees_with_std_closely() {
        for x in [
            1e-300, 1e-12, 0.001, 0.3, 0.5, 0.999, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300,
        ] {
            let got = ln(x);
            let want = x.ln();
            assert!(
                (got - want).abs() <= 1e-14 * want.abs().max(1.0),
                "ln({x}) = {got}, std {want}"
            );
        }
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(0.0) < -700.0);
    }

    #[test]
    fn distributions_have_the_intended_moments() {
        let mut rng = Rng::for_stream(7, 3);
        let n = 200_000;
        let (mut su, mut sn, mut sn2, mut se) = (0.0, 0.0, 0.0, 0.0);
        for _ in 0..n {
            su += rng.uniform();
            let z = rng.normal();
            sn += z;
            sn2 += z * z;
            se += rng.exponential(300.0);
        }
        let n = f64::from(n);
        assert!((su / n - 0.5).abs() < 0.005);
        assert!((sn / n).abs() < 0.01);
        assert!((sn2 / n - 1.0).abs() < 0.02);
        assert!((se / n - 300.0).abs() < 5.0);
        let counts = (0..30_000).fold([0u32; 3], |mut acc, _| {
            acc[rng.weighted(&[1.0, 2.0, 7.0])] += 1;
            acc
        });
        assert!((f64::from(counts[2]) / 30_000.0 - 0.7).abs() < 0.02);
        for _ in 0..1000 {
            let v = rng.between(-2, 3);
            assert!((-2..=3).contains(&v));
        }
    }
}
