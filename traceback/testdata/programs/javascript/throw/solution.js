function solve(n) {
    if (n === 0) {
        throw new RangeError('n must be positive');
    }
    return 10 / n;
}
module.exports = { solve };
