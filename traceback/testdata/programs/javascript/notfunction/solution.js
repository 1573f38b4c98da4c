function solved(n) {
    return n * 2;
}
module.exports = { solved };
