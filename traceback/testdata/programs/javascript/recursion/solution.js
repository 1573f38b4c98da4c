function solve(n) {
    return solve(n + 1) + 1;
}
module.exports = { solve };
