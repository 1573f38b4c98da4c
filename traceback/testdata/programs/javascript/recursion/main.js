'use strict';
const { solve } = require('./solution.js');

const driverAnswer = [1, 2].map((driverValue) => solve(driverValue));
console.log(driverAnswer.join(' '));
