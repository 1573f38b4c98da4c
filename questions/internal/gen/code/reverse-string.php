<?php

$s = trim(fgets(STDIN));
// TODO: reverse $s.
$answer = $s;
echo $answer, "\n";
