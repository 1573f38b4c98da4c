<?php

require __DIR__ . '/solution.php';

$driverAnswer = solve(3);
echo $driverAnswer, "\n";
