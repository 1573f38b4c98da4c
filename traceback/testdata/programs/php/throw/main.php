<?php

require __DIR__ . '/solution.php';

$driverCases = [3, 0];
foreach ($driverCases as $driverCase) {
    echo solve($driverCase), "\n";
}
