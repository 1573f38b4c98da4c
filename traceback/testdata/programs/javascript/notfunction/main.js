'use strict';
const { solve } = require('./solution.js');

const driverCases = [3, 0];
for (const driverCase of driverCases) {
    console.log(solve(driverCase));
}
