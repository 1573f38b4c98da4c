'use strict';
const { solve } = require('./solution.js');

const driverAnswer = solve(3));
console.log(driverAnswer);
