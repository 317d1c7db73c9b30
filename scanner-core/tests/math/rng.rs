//! A small seeded PRNG (xoshiro256** seeded by splitmix64) with Box–Muller normals, so Monte
//! Carlo tests and benchmarks are reproducible without a `rand` dependency.
// Shared with benches/pricing.rs, which uses only part of it.
#![allow(dead_code)]

/// xoshiro256** generator.
pub struct Rng {
    s: [u64; 4],
    spare: Option<f64>,
}

impl Rng {
    /// A generator whose state is expanded from `seed` with splitmix64.
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self {
            s: [next(), next(), next(), next()],
            spare: None,
        }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Standard normal by Box–Muller (both variates used).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let r = (-2.0 * self.uniform().ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * self.uniform();
        self.spare = Some(r * theta.sin());
        r * theta.cos()
    }
}

/// One option drawn from the anchors' benchmark distribution: S = 100, K ∈ [60, 140],
/// T ∈ [1 d, 2 y], r = 4.5 %, q ∈ [0, 3 %], σ ∈ [10 %, 80 %], calls/puts 50/50.
pub struct RandomOption {
    pub is_call: bool,
    pub spot: f64,
    pub strike: f64,
    pub years: f64,
    pub rate: f64,
    pub dividend_yield: f64,
    pub vol: f64,
}

impl RandomOption {
    /// Draw one option.
    pub fn draw(rng: &mut Rng) -> Self {
        Self {
            is_call: rng.next_u64() & 1 == 1,
            spot: 100.0,
            strike: rng.range(60.0, 140.0),
            years: rng.range(1.0 / 365.0, 2.0),
            rate: 0.045,
            dividend_yield: rng.range(0.0, 0.03),
            vol: rng.range(0.10, 0.80),
        }
    }
}
